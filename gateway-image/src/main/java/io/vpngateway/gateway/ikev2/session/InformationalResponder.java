package io.vpngateway.gateway.ikev2.session;

import io.vpngateway.gateway.ikev2.message.DeletePayload;
import io.vpngateway.gateway.ikev2.message.IkeMessage;
import io.vpngateway.gateway.ikev2.message.IkePayload;
import io.vpngateway.gateway.ikev2.message.Proposal;
import java.util.ArrayList;
import java.util.List;

/**
 * The responder side of INFORMATIONAL, RFC 7296 §1.4:
 *
 * <pre>
 *   SK {}                      --&gt;  &lt;-- SK {}                    liveness check (§2.4)
 *   SK {D(IKE)}                --&gt;  &lt;-- SK {}                    the IKE SA ends (§1.4.1)
 *   SK {D(ESP, SPIs)}          --&gt;  &lt;-- SK {D(ESP, our SPIs)}   CHILD_SAs end, both directions
 * </pre>
 *
 * A Delete of an IKE SA that was rekeyed only drops the old SA: the session lives on in its
 * successor (§2.18). A deleted CHILD_SA that was sending hands sending over to the CHILD_SA that
 * replaced it.
 */
final class InformationalResponder {
  private static final System.Logger LOG = System.getLogger(InformationalResponder.class.getName());

  private final IkeEngine engine;

  InformationalResponder(IkeEngine engine) {
    this.engine = engine;
  }

  Reply handle(IkeSa sa, IkeMessage request, long now) {
    List<DeletePayload> deletes = request.all(DeletePayload.class);
    if (deletes.stream().anyMatch(d -> d.protocolId() == Proposal.IKE)) {
      if (sa.state == IkeSa.State.REKEYED || sa.session == null) {
        return Reply.of(List.of(), () -> engine.forget(sa));
      }
      return Reply.of(List.of(), () -> engine.terminate(sa, "deleted by the client", false));
    }
    List<Integer> ours = new ArrayList<>();
    for (DeletePayload d : deletes) {
      if (d.protocolId() != Proposal.ESP) {
        continue;
      }
      for (int spi : d.spis()) {
        ChildSa child =
            sa.children.stream().filter(c -> c.outboundSpi() == spi).findFirst().orElse(null);
        if (child != null) {
          removeChild(engine, sa, child, now);
          ours.add(child.inboundSpi());
        }
      }
    }
    List<IkePayload> answer = new ArrayList<>();
    if (!ours.isEmpty()) {
      answer.add(DeletePayload.esp(ours));
    }
    return Reply.of(answer);
  }

  /**
   * Removes a CHILD_SA; sending moves to the newest remaining one at once, while receiving on it
   * goes on for {@link IkeEngine#INBOUND_GRACE_NANOS} (packets the peer sent before it switched).
   */
  static void removeChild(IkeEngine engine, IkeSa sa, ChildSa child, long now) {
    child.rekeyed = true;
    sa.children.remove(child);
    engine.childSas.retire(child, now + IkeEngine.INBOUND_GRACE_NANOS);
    Ikev2Session session = sa.session;
    if (session != null && session.outbound() == child) {
      ChildSa next = null;
      for (ChildSa c : sa.children) {
        if (!c.rekeyed) {
          next = c;
        }
      }
      session.useForSending(next);
    }
    LOG.log(System.Logger.Level.DEBUG, "{0}: deleted {1}", sa, child);
  }
}
