package io.vpngateway.operator.support;

import io.vpngateway.operator.config.OperatorConfig;
import java.time.Duration;
import java.util.Optional;

/** {@link OperatorConfig} with the documented defaults, for code run outside Quarkus. */
public record TestOperatorConfig(String gatewayImage, Optional<String> dnsServer)
    implements OperatorConfig {

  public static TestOperatorConfig defaults() {
    return new TestOperatorConfig("ghcr.io/vpngateway/gateway:0.1.0", Optional.of("10.96.0.10"));
  }

  @Override
  public Gateway gateway() {
    return new Gateway() {
      @Override
      public String image() {
        return gatewayImage;
      }

      @Override
      public String imagePullPolicy() {
        return "IfNotPresent";
      }

      @Override
      public boolean ipForwardSysctl() {
        return true;
      }
    };
  }

  @Override
  public Cluster cluster() {
    return new Cluster() {
      @Override
      public Optional<String> dnsServer() {
        return dnsServer;
      }

      @Override
      public String domain() {
        return "cluster.local";
      }
    };
  }

  @Override
  public Pki pki() {
    return new Pki() {
      @Override
      public Duration caValidity() {
        return Duration.ofDays(3650);
      }

      @Override
      public Duration serverCertificateValidity() {
        return Duration.ofDays(90);
      }

      @Override
      public Duration serverCertificateRenewBefore() {
        return Duration.ofDays(30);
      }

      @Override
      public Duration crlValidity() {
        return Duration.ofDays(7);
      }

      @Override
      public Duration crlRenewBefore() {
        return Duration.ofDays(2);
      }
    };
  }

  @Override
  public Connections connections() {
    return new Connections() {
      @Override
      public Duration pollInterval() {
        return Duration.ofSeconds(30);
      }

      @Override
      public Duration timeout() {
        return Duration.ofSeconds(2);
      }
    };
  }

  @Override
  public Operator operator() {
    return new Operator() {
      @Override
      public Optional<String> namespace() {
        return Optional.of("vpngateway-system");
      }

      @Override
      public String podSelector() {
        return "app.kubernetes.io/name=vpngateway-operator";
      }
    };
  }
}
