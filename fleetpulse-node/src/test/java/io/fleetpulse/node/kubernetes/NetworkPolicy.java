package io.fleetpulse.node.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * networking.k8s.io/v1 NetworkPolicy, the fields the manifests may use (fabric8's networking
 * model is not among this build's dependencies). Read strictly like the fabric8 classes: a field
 * not declared here fails the parse.
 */
@JsonDeserialize(using = ValueDeserializer.None.class)
@JsonTypeInfo(use = JsonTypeInfo.Id.NONE)
final class NetworkPolicy implements HasMetadata {

  private String apiVersion;
  private String kind;
  private ObjectMeta metadata;
  private Spec spec;

  record Spec(LabelSelector podSelector, List<String> policyTypes, List<IngressRule> ingress) {}

  record IngressRule(List<Peer> from, List<Port> ports) {}

  record Peer(LabelSelector podSelector, LabelSelector namespaceSelector, IpBlock ipBlock) {}

  record IpBlock(String cidr, List<String> except) {}

  record Port(String protocol, IntOrString port, Integer endPort) {}

  @Override
  public ObjectMeta getMetadata() {
    return metadata;
  }

  @Override
  public void setMetadata(ObjectMeta metadata) {
    this.metadata = metadata;
  }

  @Override
  public String getApiVersion() {
    return apiVersion;
  }

  @Override
  public void setApiVersion(String apiVersion) {
    this.apiVersion = apiVersion;
  }

  @Override
  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public Spec getSpec() {
    return spec;
  }

  public void setSpec(Spec spec) {
    this.spec = spec;
  }
}
