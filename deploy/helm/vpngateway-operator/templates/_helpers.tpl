{{- define "vpngateway-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "vpngateway-operator.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "vpngateway-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "vpngateway-operator.serviceAccountName" -}}
{{- default (include "vpngateway-operator.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/*
The rules the operator needs, and no more (RbacTest lists the same verbs):
- its CRs: informers (get/list/watch), finalizers on ClientCertificates (patch), status (patch);
- Secrets: informers, dependents (server-side apply: create + patch), the CRL update of a
  revocation (update, with the resourceVersion read), delete of the operator's server certificate
  Secret when the user brings their own;
- Services, StatefulSets: informers and server-side apply (create + patch);
- PodDisruptionBudgets: the same, plus delete when a gateway drops to one replica;
- Pods: an informer on the gateway pods (get/list/watch) for their IPs and readiness, to read
  status.connections from each pod's management API;
- NetworkPolicies: one per gateway (informer and server-side apply: create + patch) that admits
  only the operator's pods to the gateway pods' management port.
*/}}
{{- define "vpngateway-operator.rules" -}}
- apiGroups: ["vpngateway.io"]
  resources: ["vpngateways"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["vpngateway.io"]
  resources: ["clientcertificates"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["vpngateway.io"]
  resources: ["vpngateways/status", "clientcertificates/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "patch"]
{{- end -}}

{{/* The operator pods' labels as key=value,key=value: the gateways' NetworkPolicy admits these. */}}
{{- define "vpngateway-operator.podSelector" -}}
{{- printf "app.kubernetes.io/name=%s,app.kubernetes.io/instance=%s" .Chart.Name .Release.Name -}}
{{- end -}}
