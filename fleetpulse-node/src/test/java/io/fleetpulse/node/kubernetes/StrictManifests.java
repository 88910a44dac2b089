package io.fleetpulse.node.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.deser.BeanDeserializerBuilder;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads Kubernetes manifests into the fabric8 model strictly: a field the model does not know is an
 * error. fabric8's classes keep unknown fields in an {@code additionalProperties} map through a
 * Jackson any-setter, so a misspelt {@code replica:} would otherwise parse silently; this reader
 * removes every any-setter, which leaves unknown fields to FAIL_ON_UNKNOWN_PROPERTIES.
 */
final class StrictManifests {

  /** The kinds the manifests may use, by "apiVersion/kind". */
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
      Map.entry("v1/Namespace", Namespace.class),
      Map.entry("v1/ServiceAccount", ServiceAccount.class),
      Map.entry("v1/ConfigMap", ConfigMap.class),
      Map.entry("v1/Secret", Secret.class),
      Map.entry("v1/Service", Service.class),
      Map.entry("apps/v1/Deployment", Deployment.class),
      Map.entry("apps/v1/StatefulSet", StatefulSet.class),
      Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
      Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
      Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class));

  /** One parsed document and the file it came from. */
  record Manifest(Path file, HasMetadata resource) {}

  private final YAMLMapper mapper = YAMLMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .addModule(new SimpleModule("no-any-setters").setDeserializerModifier(new ValueDeserializerModifier() {
        @Override
        public BeanDeserializerBuilder updateBuilder(
            DeserializationConfig config, BeanDescription.Supplier description, BeanDeserializerBuilder builder) {
          builder.setAnySetter(null);
          return builder;
        }
      }))
      .build();

  /** Every non-empty YAML document of the file as plain trees. */
  List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    for (JsonNode document : mapper.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(file)).readAll()) {
      if (document != null && !document.isNull() && !document.isMissingNode()) {
        documents.add(document);
      }
    }
    return documents;
  }

  /** Every document of the file as its fabric8 model class; throws on an unknown kind or field. */
  List<Manifest> read(Path file) throws IOException {
    List<Manifest> manifests = new ArrayList<>();
    for (JsonNode document : documents(file)) {
      manifests.add(new Manifest(file, parse(document, file.toString())));
    }
    return manifests;
  }

  /** One document as its model class; {@code where} names it in errors. */
  HasMetadata parse(JsonNode document, String where) {
    String key = document.path("apiVersion").asString("") + "/" + document.path("kind").asString("");
    Class<? extends HasMetadata> type = KINDS.get(key);
    if (type == null) {
      throw new IllegalArgumentException(where + ": no model class for " + key + " (known: " + KINDS.keySet() + ")");
    }
    try {
      return mapper.treeToValue(document, type);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + ": " + key + " does not fit the model: " + e.getMessage(), e);
    }
  }

  /** Parses YAML text into a tree (for a manifest's embedded documents and the test's own samples). */
  JsonNode tree(String yaml) {
    return mapper.readTree(yaml);
  }
}
