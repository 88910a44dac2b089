package io.fleetpulse.node.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fleetpulse.node.kubernetes.StrictManifests.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Validates every manifest under {@code k8s/} without a cluster: each document parses into the
 * fabric8 Kubernetes model with no unknown field ({@link StrictManifests}), and the manifests agree
 * with each other and with the node: selectors find pods, names refer to resources that exist,
 * probes and scrape annotations use declared ports, and the node's containers set only environment
 * variables that its configuration reads.
 */
class KubernetesManifestsTest {

  private static final Pattern CONFIG_ENV = Pattern.compile("\\$\\{\\?([A-Za-z0-9_]+)}");
  private static final Pattern SHELL_VARIABLE = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)");
  private static final String NODE_IMAGE_PREFIX = "fleetpulse/";
  private static final String NODE_ENV = "fleetpulse-node-env";
  /**
   * Variables the manifests set for the console work in progress on the main branch (the first
   * admin password, HTTPS for the API), whose ${?NAME} lines arrive with it; drop this set then.
   */
  private static final Pattern SECRET_COMMAND = Pattern.compile("create secret generic ([a-z0-9-]+)");
  private static final Pattern SECRET_KEY = Pattern.compile("--from-(?:literal|file)=([A-Za-z0-9._-]+)=");
  private static final Pattern CREDENTIAL_KEY = Pattern.compile("(?i).*(password|cookie|secret|token|key|credential).*");

  private static final StrictManifests READER = new StrictManifests();
  private static Path repository;
  private static Path k8s;
  private static List<Manifest> manifests;
  private static List<Workload> workloads;

  /** A Deployment or StatefulSet, seen the same way. */
  record Workload(String name, LabelSelector selector, PodTemplateSpec template) {
    Map<String, String> labels() {
      return template.getMetadata().getLabels();
    }

    List<Container> containers() {
      return template.getSpec().getContainers();
    }

    boolean runsNode() {
      return containers().stream().anyMatch(c -> c.getImage().startsWith(NODE_IMAGE_PREFIX));
    }
  }

  @BeforeAll
  static void readManifests() throws IOException {
    repository = Path.of("").toAbsolutePath();
    while (!Files.exists(repository.resolve("k8s/base/kustomization.yaml"))) {
      repository = Objects.requireNonNull(repository.getParent(), "no k8s/base/kustomization.yaml above the working directory");
    }
    k8s = repository.resolve("k8s");
    manifests = new ArrayList<>();
    for (Path file : yamlFiles().stream().filter(f -> !isKustomization(f)).toList()) {
      manifests.addAll(READER.read(file));
    }
    workloads = new ArrayList<>();
    of(Deployment.class).forEach(d -> workloads.add(new Workload(d.getMetadata().getName(), d.getSpec().getSelector(), d.getSpec().getTemplate())));
    of(StatefulSet.class).forEach(s -> workloads.add(new Workload(s.getMetadata().getName(), s.getSpec().getSelector(), s.getSpec().getTemplate())));
  }

  @Test
  void every_manifest_fits_the_kubernetes_model_with_no_unknown_field() {
    assertThat(manifests).extracting(m -> m.resource().getKind())
        .contains("Namespace", "ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Service", "Deployment",
            "StatefulSet", "PodDisruptionBudget", "NetworkPolicy");
    for (Manifest manifest : manifests) {
      assertThat(manifest.resource().getMetadata().getName()).as("name in %s", manifest.file()).isNotBlank();
      assertThat(manifest.resource().getMetadata().getNamespace())
          .as("%s: the namespace comes from kustomization.yaml", manifest.file()).isNull();
    }
  }

  @Test
  void rejects_a_misspelt_field_at_the_top_or_deep_inside() {
    String deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: x }
        spec:
          %s: 2
          selector: { matchLabels: { app: x } }
          template:
            metadata: { labels: { app: x } }
            spec:
              containers:
                - name: x
                  %s: fleetpulse/node:0.1.0
        """;

    assertThat(READER.parse(READER.tree(deployment.formatted("replicas", "image")), "sample")).isInstanceOf(Deployment.class);
    assertThatThrownBy(() -> READER.parse(READER.tree(deployment.formatted("replica", "image")), "sample"))
        .hasMessageContaining("replica");
    assertThatThrownBy(() -> READER.parse(READER.tree(deployment.formatted("replicas", "imagee")), "sample"))
        .hasMessageContaining("imagee");
    assertThatThrownBy(() -> READER.parse(READER.tree("apiVersion: v1\nkind: Pod\nmetadata: { name: x }"), "sample"))
        .hasMessageContaining("no model class");
  }

  @Test
  void kustomization_lists_every_manifest_of_its_directory_and_only_existing_ones() throws IOException {
    List<Path> kustomizations = yamlFiles().stream().filter(KubernetesManifestsTest::isKustomization).toList();
    assertThat(kustomizations).isNotEmpty();
    for (Path kustomization : kustomizations) {
      JsonNode tree = READER.documents(kustomization).get(0);
      assertThat(tree.path("apiVersion").asString()).isEqualTo("kustomize.config.k8s.io/v1beta1");
      assertThat(tree.path("kind").asString()).isEqualTo("Kustomization");
      assertThat(tree.propertyNames()).as("fields of %s", kustomization)
          .isSubsetOf("apiVersion", "kind", "namespace", "resources", "labels", "images", "patches", "components");
      Path directory = kustomization.getParent();
      Set<String> listed = new TreeSet<>();
      tree.path("resources").forEach(entry -> listed.add(entry.asString()));
      for (String entry : listed) {
        Path target = directory.resolve(entry).normalize();
        assertThat(Files.isRegularFile(target) || Files.isRegularFile(target.resolve("kustomization.yaml")))
            .as("%s lists %s, which does not exist", kustomization, entry).isTrue();
      }
      try (Stream<Path> files = Files.list(directory)) {
        Set<String> present = files.filter(f -> f.toString().endsWith(".yaml") && !isKustomization(f))
            .map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(listed).as("%s must list every manifest beside it", kustomization).containsAll(present);
      }
    }
  }

  @Test
  void workloads_select_their_own_pods_and_run_as_existing_service_accounts() {
    Set<String> accounts = names(ServiceAccount.class);
    assertThat(workloads).isNotEmpty();
    for (Workload workload : workloads) {
      assertThat(workload.labels()).as("%s's pods carry its selector's labels", workload.name())
          .containsAllEntriesOf(workload.selector().getMatchLabels());
      String account = workload.template().getSpec().getServiceAccountName();
      if (account != null) {
        assertThat(accounts).as("service account of %s", workload.name()).contains(account);
      }
    }
    Set<String> headless = of(Service.class).stream().filter(s -> "None".equals(s.getSpec().getClusterIP()))
        .map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
    of(StatefulSet.class).forEach(s ->
        assertThat(headless).as("governing service of %s", s.getMetadata().getName()).contains(s.getSpec().getServiceName()));
  }

  @Test
  void services_and_disruption_budgets_select_existing_pods_on_declared_ports() {
    for (Service service : of(Service.class)) {
      List<Workload> selected = selectedBy(service.getSpec().getSelector());
      assertThat(selected).as("pods of service %s", service.getMetadata().getName()).isNotEmpty();
      for (ServicePort port : service.getSpec().getPorts()) {
        IntOrString target = port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
        selected.forEach(w -> assertThat(declares(w.containers(), target))
            .as("service %s port %s on %s", service.getMetadata().getName(), target, w.name()).isTrue());
      }
    }
    for (PodDisruptionBudget budget : of(PodDisruptionBudget.class)) {
      assertThat(selectedBy(budget.getSpec().getSelector().getMatchLabels()))
          .as("pods of disruption budget %s", budget.getMetadata().getName()).isNotEmpty();
    }
    for (Workload workload : workloads) {
      assertThat(of(PodDisruptionBudget.class))
          .as("a disruption budget covers %s", workload.name())
          .anyMatch(b -> workload.labels().entrySet().containsAll(b.getSpec().getSelector().getMatchLabels().entrySet()));
    }
  }

  @Test
  void probes_and_scrape_annotations_use_declared_container_ports() {
    for (Workload workload : workloads) {
      for (Container container : workload.containers()) {
        for (Probe probe : Stream.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())
            .filter(Objects::nonNull).toList()) {
          IntOrString port = probe.getHttpGet() != null ? probe.getHttpGet().getPort()
              : probe.getTcpSocket() != null ? probe.getTcpSocket().getPort() : null;
          if (port != null) {
            assertThat(declares(List.of(container), port)).as("probe port %s of %s", port, workload.name()).isTrue();
          }
        }
      }
      Map<String, String> annotations = Objects.requireNonNullElse(workload.template().getMetadata().getAnnotations(), Map.of());
      if ("true".equals(annotations.get("prometheus.io/scrape"))) {
        IntOrString port = new IntOrString(Integer.parseInt(annotations.get("prometheus.io/port")));
        assertThat(declares(workload.containers(), port)).as("scraped port of %s", workload.name()).isTrue();
      }
      if (workload.runsNode()) {
        // NodeRoutes serves Prometheus text at GET /metrics on the HTTP API's port.
        assertThat(annotations).as("scrape annotations of %s", workload.name())
            .containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/path", "/metrics")
            .containsEntry("prometheus.io/port", String.valueOf(httpPort(workload)));
      }
    }
    String scrapeConfig = configMap("prometheus-scrape-config").getData().get("prometheus.yml");
    JsonNode job = READER.tree(scrapeConfig).path("scrape_configs").get(0);
    assertThat(job.path("kubernetes_sd_configs").get(0).path("role").asString()).isEqualTo("pod");
    assertThat(job.toString()).contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape",
        "__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_annotation_prometheus_io_path");
  }

  @Test
  void config_maps_secrets_roles_and_accounts_referred_to_exist() {
    for (Workload workload : workloads) {
      for (Container container : workload.containers()) {
        for (EnvFromSource source : Objects.requireNonNullElse(container.getEnvFrom(), List.<EnvFromSource>of())) {
          if (source.getConfigMapRef() != null) {
            configMap(source.getConfigMapRef().getName());
          }
          if (source.getSecretRef() != null) {
            assertThat(operatorSecrets()).containsKey(source.getSecretRef().getName());
          }
        }
        for (EnvVar variable : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())) {
          if (variable.getValueFrom() != null && variable.getValueFrom().getConfigMapKeyRef() != null) {
            var ref = variable.getValueFrom().getConfigMapKeyRef();
            assertThat(configMap(ref.getName()).getData()).containsKey(ref.getKey());
          }
          if (variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null) {
            var ref = variable.getValueFrom().getSecretKeyRef();
            assertThat(operatorSecrets()).as("Secrets docs/kubernetes.md tells the operator to create")
                .containsKey(ref.getName());
            assertThat(operatorSecrets().get(ref.getName())).as("keys of secret %s", ref.getName()).contains(ref.getKey());
          }
        }
      }
    }
    for (Workload workload : workloads) {
      for (var volume : Objects.requireNonNullElse(workload.template().getSpec().getVolumes(), List.<io.fabric8.kubernetes.api.model.Volume>of())) {
        if (volume.getSecret() != null) {
          assertThat(operatorSecrets()).as("secret volume %s of %s", volume.getName(), workload.name())
              .containsKey(volume.getSecret().getSecretName());
        }
      }
    }
    for (RoleBinding binding : of(RoleBinding.class)) {
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(names(Role.class)).contains(binding.getRoleRef().getName());
      binding.getSubjects().forEach(subject -> {
        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(names(ServiceAccount.class)).contains(subject.getName());
      });
    }
  }

  @Test
  void emqx_asks_the_gateways_about_every_client_with_the_gateways_own_secret_and_denies_what_they_do_not_allow() {
    Workload emqx = workloads.stream().filter(w -> w.name().equals("emqx")).findFirst().orElseThrow();
    Map<String, String> env = environment(emqx.containers().get(0));
    assertThat(env).containsEntry("EMQX_AUTHORIZATION__NO_MATCH", "deny");
    String authentication = env.get("EMQX_AUTHENTICATION");
    String authorization = env.get("EMQX_AUTHORIZATION__SOURCES");
    assertThat(authentication).contains("backend = http", "/api/mqtt/authenticate", "${username}", "${password}",
        "${clientid}", "\"x-fleetpulse-broker-key\" = \"$(FLEETPULSE_BROKER_KEY)\"");
    assertThat(authorization).startsWith("[{type = http").contains("/api/mqtt/authorize", "${topic}", "${action}",
        "$(FLEETPULSE_BROKER_KEY)").doesNotContain("type = file");

    // The URL names a service that selects the gateway nodes on their HTTP port.
    java.util.regex.Matcher url = Pattern.compile("http://([a-z0-9-]+)\\.fleetpulse\\.svc\\.cluster\\.local:(\\d+)/api/mqtt/")
        .matcher(authentication);
    assertThat(url.find()).as("service URL in %s", authentication).isTrue();
    Service service = of(Service.class).stream().filter(x -> x.getMetadata().getName().equals(url.group(1))).findFirst()
        .orElseThrow(() -> new AssertionError("no Service " + url.group(1)));
    assertThat(selectedBy(service.getSpec().getSelector())).extracting(Workload::name).containsExactly("gateway");
    ServicePort port = service.getSpec().getPorts().get(0);
    assertThat(port.getPort()).isEqualTo(Integer.parseInt(url.group(2)));
    assertThat(port.getTargetPort()).isEqualTo(new IntOrString("http"));

    // EMQX's key is the gateways' own broker password: one secret.
    EnvVar key = emqx.containers().get(0).getEnv().stream().filter(v -> v.getName().equals("FLEETPULSE_BROKER_KEY"))
        .findFirst().orElseThrow();
    Workload gateway = workloads.stream().filter(w -> w.name().equals("gateway")).findFirst().orElseThrow();
    EnvVar password = gateway.containers().get(0).getEnv().stream()
        .filter(v -> v.getName().equals("FLEETPULSE_BROKER_PASSWORD")).findFirst().orElseThrow();
    assertThat(password.getValueFrom().getSecretKeyRef()).isEqualTo(key.getValueFrom().getSecretKeyRef());
    int keyIndex = emqx.containers().get(0).getEnv().indexOf(key);
    assertThat(emqx.containers().get(0).getEnv().stream().map(EnvVar::getName).toList().indexOf("EMQX_AUTHENTICATION"))
        .as("Kubernetes expands $(FLEETPULSE_BROKER_KEY) only from variables defined before").isGreaterThan(keyIndex);
  }

  @Test
  void node_containers_set_only_environment_variables_the_node_reads() throws IOException {
    Set<String> read = variablesTheNodeReads();
    assertThat(read).contains("FLEETPULSE_BROKER_URL", "FLEETPULSE_ROLES", "JAVA_OPTS");
    List<Workload> nodes = workloads.stream().filter(Workload::runsNode).toList();
    assertThat(nodes).extracting(Workload::name).containsExactlyInAnyOrder("gateway", "device", "inference");
    for (Workload node : nodes) {
      for (Container container : node.containers()) {
        assertThat(environment(container).keySet()).as("variables set on %s", node.name()).isSubsetOf(read);
      }
    }
  }

  @Test
  void node_pods_are_found_by_the_bootstrap_and_probed_on_management_health_checks() {
    Map<String, String> shared = configMap(NODE_ENV).getData();
    String serviceName = shared.get("FLEETPULSE_BOOTSTRAP_SERVICE_NAME");
    String portName = shared.get("FLEETPULSE_BOOTSTRAP_PORT_NAME");
    int managementPort = Integer.parseInt(shared.get("FLEETPULSE_MANAGEMENT_PORT"));
    assertThat(shared).containsEntry("FLEETPULSE_MANAGEMENT_ENABLED", "true").containsEntry("FLEETPULSE_CLUSTER_BOOTSTRAP", "true")
        .containsEntry("FLEETPULSE_DISCOVERY_METHOD", "kubernetes-api");
    for (Workload node : workloads.stream().filter(Workload::runsNode).toList()) {
      // pekko.discovery.kubernetes-api.pod-label-selector is app=%s with the bootstrap's service name.
      assertThat(node.labels()).containsEntry("app", serviceName);
      Container container = node.containers().get(0);
      assertThat(container.getPorts()).as("management port of %s", node.name())
          .anyMatch(p -> portName.equals(p.getName()) && p.getContainerPort() == managementPort);
      assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
      assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/alive");
      assertThat(container.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString(portName));
      assertThat(environment(container)).containsKeys("FLEETPULSE_ROLES", "FLEETPULSE_CLUSTER_HOSTNAME", "FLEETPULSE_NODE_NAME");
      assertThat(container.getEnv()).filteredOn(v -> v.getName().equals("FLEETPULSE_ROLES"))
          .extracting(EnvVar::getValue).containsExactly(node.name());
    }
    Workload inference = workloads.stream().filter(w -> w.name().equals("inference")).findFirst().orElseThrow();
    assertThat(inference.containers().get(0).getResources().getLimits()).containsKey("nvidia.com/gpu");
    assertThat(inference.template().getSpec().getNodeSelector()).isNotEmpty();
  }

  @Test
  void every_pod_and_container_runs_unprivileged_on_a_read_only_root() {
    assertThat(workloads).isNotEmpty();
    for (Workload workload : workloads) {
      var pod = workload.template().getSpec().getSecurityContext();
      assertThat(pod).as("pod securityContext of %s", workload.name()).isNotNull();
      assertThat(pod.getRunAsNonRoot()).as("runAsNonRoot of %s", workload.name()).isTrue();
      assertThat(pod.getRunAsUser()).as("a numeric non-root user for %s", workload.name()).isNotNull().isPositive();
      assertThat(pod.getSeccompProfile()).as("seccomp of %s", workload.name()).isNotNull();
      assertThat(pod.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      List<Container> containers = new ArrayList<>(workload.containers());
      containers.addAll(Objects.requireNonNullElse(workload.template().getSpec().getInitContainers(), List.of()));
      for (Container container : containers) {
        String where = workload.name() + "/" + container.getName();
        var context = container.getSecurityContext();
        assertThat(context).as("securityContext of %s", where).isNotNull();
        assertThat(context.getAllowPrivilegeEscalation()).as("allowPrivilegeEscalation of %s", where).isFalse();
        assertThat(context.getReadOnlyRootFilesystem()).as("readOnlyRootFilesystem of %s", where).isTrue();
        assertThat(context.getCapabilities()).as("capabilities of %s", where).isNotNull();
        assertThat(context.getCapabilities().getDrop()).as("dropped capabilities of %s", where).containsExactly("ALL");
        assertThat(context.getCapabilities().getAdd()).as("added capabilities of %s", where).isNullOrEmpty();
        assertThat(context.getPrivileged()).as("privileged %s", where).isNotEqualTo(Boolean.TRUE);
        Set<String> mounted = Objects.requireNonNullElse(container.getVolumeMounts(), List.<io.fabric8.kubernetes.api.model.VolumeMount>of())
            .stream().map(io.fabric8.kubernetes.api.model.VolumeMount::getMountPath).collect(Collectors.toSet());
        assertThat(mounted).as("%s writes /tmp on a read-only root", where).contains("/tmp");
      }
    }
  }

  @Test
  void network_policies_deny_by_default_and_open_only_what_each_component_needs() {
    assertThat(of(NetworkPolicy.class)).as("a default-deny ingress policy").anyMatch(p -> matches(p.getSpec().podSelector(), Map.of())
        && p.getSpec().policyTypes().contains("Ingress") && Objects.requireNonNullElse(p.getSpec().ingress(), List.of()).isEmpty());
    Workload gateway = workload("gateway");
    Workload device = workload("device");
    Workload emqx = workload("emqx");
    Workload cassandra = workload("cassandra");
    Map<String, String> outside = null;
    Map<String, String> otherPod = Map.of("app", "something-else");

    // The broker: MQTT from devices outside and from the gateways; its cluster ports only between brokers.
    assertThat(allows(outside, emqx, "mqtt")).as("devices reach MQTT").isTrue();
    assertThat(allows(gateway.labels(), emqx, "mqtt")).as("gateways reach MQTT").isTrue();
    for (String port : List.of("ekka", "gen-rpc", "dashboard")) {
      assertThat(allows(emqx.labels(), emqx, port)).as("brokers reach each other's %s", port).isTrue();
      assertThat(allows(outside, emqx, port)).as("%s from outside", port).isFalse();
      assertThat(allows(gateway.labels(), emqx, port)).as("%s from a node", port).isFalse();
    }
    // Cassandra: CQL from nodes only, intra-node between Cassandra pods only.
    assertThat(allows(device.labels(), cassandra, "cql")).isTrue();
    assertThat(allows(gateway.labels(), cassandra, "cql")).isTrue();
    assertThat(allows(emqx.labels(), cassandra, "cql")).as("CQL from the broker").isFalse();
    assertThat(allows(outside, cassandra, "cql")).as("CQL from outside").isFalse();
    assertThat(allows(cassandra.labels(), cassandra, "intra-node")).isTrue();
    assertThat(allows(device.labels(), cassandra, "intra-node")).isFalse();
    // Nodes: remoting and management between nodes only; the API from anywhere, EMQX's auth calls included.
    for (Workload node : workloads.stream().filter(Workload::runsNode).toList()) {
      assertThat(allows(device.labels(), node, "remoting")).as("remoting to %s from a node", node.name()).isTrue();
      assertThat(allows(otherPod, node, "remoting")).as("remoting to %s from another pod", node.name()).isFalse();
      assertThat(allows(outside, node, "remoting")).as("remoting to %s from outside", node.name()).isFalse();
      assertThat(allows(outside, node, "management")).as("management of %s from outside", node.name()).isFalse();
      assertThat(allows(outside, node, "http")).as("API of %s", node.name()).isTrue();
    }
    assertThat(allows(emqx.labels(), gateway, "http")).as("EMQX asks the gateways").isTrue();
  }

  @Test
  void no_secret_in_the_repository_carries_a_credential_and_workloads_take_theirs_from_secrets() {
    for (Secret secret : of(Secret.class)) {
      Set<String> keys = new HashSet<>(Objects.requireNonNullElse(secret.getStringData(), Map.<String, String>of()).keySet());
      keys.addAll(Objects.requireNonNullElse(secret.getData(), Map.<String, String>of()).keySet());
      assertThat(keys).as("credentials written into Secret %s", secret.getMetadata().getName())
          .noneMatch(k -> CREDENTIAL_KEY.matcher(k).matches());
    }
    for (ConfigMap map : of(ConfigMap.class)) {
      assertThat(Objects.requireNonNullElse(map.getData(), Map.<String, String>of()).keySet())
          .as("credentials in ConfigMap %s", map.getMetadata().getName())
          .noneMatch(k -> k.matches(".*(PASSWORD|COOKIE|_KEY|SECRET|TOKEN)$"));
    }
    for (Workload workload : workloads) {
      for (Container container : workload.containers()) {
        for (EnvVar variable : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())) {
          if (variable.getName().matches(".*(PASSWORD|COOKIE|_KEY|SECRET|TOKEN|USERNAME)$")) {
            assertThat(variable.getValue()).as("%s of %s is a literal", variable.getName(), workload.name()).isNull();
            assertThat(variable.getValueFrom().getSecretKeyRef())
                .as("%s of %s comes from a Secret", variable.getName(), workload.name()).isNotNull();
          }
        }
      }
    }
    assertThat(operatorSecrets()).containsKeys("emqx-cookie", "fleetpulse-broker", "cassandra-credentials", "fleetpulse-artery");
  }

  @Test
  void nodes_talk_artery_over_mutual_tls_with_stores_from_a_mounted_secret() {
    for (Workload node : workloads.stream().filter(Workload::runsNode).toList()) {
      Container container = node.containers().get(0);
      Map<String, String> env = environment(container);
      assertThat(env).as("Artery of %s", node.name()).containsEntry("FLEETPULSE_ARTERY_TRANSPORT", "tls-tcp");
      for (String store : List.of("FLEETPULSE_ARTERY_KEYSTORE", "FLEETPULSE_ARTERY_TRUSTSTORE")) {
        String path = env.get(store);
        assertThat(path).as("%s of %s", store, node.name()).isNotNull();
        var mount = container.getVolumeMounts().stream().filter(m -> path.startsWith(m.getMountPath() + "/")).findFirst()
            .orElseThrow(() -> new AssertionError(store + " of " + node.name() + " is on no mounted volume"));
        assertThat(mount.getReadOnly()).as("%s mounted read-only", mount.getName()).isTrue();
        var volume = node.template().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
            .findFirst().orElseThrow();
        assertThat(volume.getSecret()).as("%s of %s comes from a Secret", store, node.name()).isNotNull();
        assertThat(operatorSecrets().get(volume.getSecret().getSecretName()))
            .contains(path.substring(mount.getMountPath().length() + 1));
      }
      assertThat(container.getEnv()).extracting(EnvVar::getName)
          .contains("FLEETPULSE_ARTERY_KEYSTORE_PASSWORD", "FLEETPULSE_ARTERY_TRUSTSTORE_PASSWORD");
    }
  }

  @Test
  void nodes_sign_in_to_cassandra_with_credentials_from_a_secret_and_cassandra_asks_for_them() {
    for (Workload node : workloads.stream().filter(Workload::runsNode).toList()) {
      for (String name : List.of("FLEETPULSE_CASSANDRA_USERNAME", "FLEETPULSE_CASSANDRA_PASSWORD")) {
        EnvVar variable = node.containers().get(0).getEnv().stream().filter(v -> v.getName().equals(name)).findFirst()
            .orElseThrow(() -> new AssertionError(node.name() + " does not set " + name));
        assertThat(variable.getValueFrom().getSecretKeyRef()).as("%s of %s", name, node.name()).isNotNull();
        assertThat(variable.getValueFrom().getSecretKeyRef().getName()).isEqualTo("cassandra-credentials");
        assertThat(variable.getValueFrom().getSecretKeyRef().getOptional()).as("%s optional", name).isNotEqualTo(Boolean.TRUE);
      }
    }
    Workload cassandra = workload("cassandra");
    String setup = Objects.requireNonNullElse(cassandra.template().getSpec().getInitContainers(), List.<Container>of()).stream()
        .flatMap(c -> c.getCommand().stream()).collect(Collectors.joining(" "));
    assertThat(setup).as("Cassandra's config switches on PasswordAuthenticator").contains("PasswordAuthenticator", "cassandra.yaml");
    assertThat(cassandra.containers().get(0).getVolumeMounts()).extracting(io.fabric8.kubernetes.api.model.VolumeMount::getMountPath)
        .contains("/etc/cassandra");
  }

  /**
   * Whether the NetworkPolicies let a pod labelled {@code from} in this namespace (null: a client
   * outside the cluster) reach {@code target}'s named container port.
   */
  private static boolean allows(Map<String, String> from, Workload target, String portName) {
    int port = target.containers().stream().flatMap(c -> c.getPorts().stream()).filter(p -> portName.equals(p.getName()))
        .mapToInt(ContainerPort::getContainerPort).findFirst().orElseThrow(() -> new AssertionError(target.name() + " has no port " + portName));
    List<NetworkPolicy> selecting = of(NetworkPolicy.class).stream()
        .filter(p -> p.getSpec().policyTypes() == null || p.getSpec().policyTypes().contains("Ingress"))
        .filter(p -> matches(p.getSpec().podSelector(), target.labels())).toList();
    if (selecting.isEmpty()) {
      return true;
    }
    return selecting.stream().flatMap(p -> Objects.requireNonNullElse(p.getSpec().ingress(), List.<NetworkPolicy.IngressRule>of()).stream())
        .anyMatch(rule -> portMatches(rule.ports(), portName, port) && peerMatches(rule.from(), from));
  }

  private static boolean portMatches(List<NetworkPolicy.Port> ports, String name, int number) {
    return ports == null || ports.isEmpty() || ports.stream().anyMatch(p -> p.port() == null
        || (p.port().getStrVal() != null ? p.port().getStrVal().equals(name) : p.port().getIntVal() == number));
  }

  private static boolean peerMatches(List<NetworkPolicy.Peer> peers, Map<String, String> from) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    return peers.stream().anyMatch(peer -> {
      if (peer.ipBlock() != null) {
        return from == null && peer.ipBlock().cidr().endsWith("/0");
      }
      if (from == null) {
        return false;
      }
      // A namespace selector selects other namespaces' pods; only an empty one includes this namespace's.
      boolean namespace = peer.namespaceSelector() == null || matches(peer.namespaceSelector(), Map.of());
      return namespace && (peer.podSelector() == null || matches(peer.podSelector(), from));
    });
  }

  private static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> wanted = Objects.requireNonNullElse(selector.getMatchLabels(), Map.of());
    assertThat(selector.getMatchExpressions()).as("matchExpressions are not evaluated here").isNullOrEmpty();
    return labels.entrySet().containsAll(wanted.entrySet());
  }

  /** The Secrets docs/kubernetes.md has the operator create ({@code kubectl create secret generic}), with their keys. */
  private static Map<String, Set<String>> operatorSecrets() {
    try {
      String docs = Files.readString(repository.resolve("docs/kubernetes.md")).replace("\\\n", " ");
      Map<String, Set<String>> secrets = new java.util.TreeMap<>();
      for (String line : docs.split("\n")) {
        Matcher command = SECRET_COMMAND.matcher(line);
        if (command.find()) {
          Set<String> keys = secrets.computeIfAbsent(command.group(1), n -> new TreeSet<>());
          Matcher key = SECRET_KEY.matcher(line);
          while (key.find()) {
            keys.add(key.group(1));
          }
        }
      }
      return secrets;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Workload workload(String name) {
    return workloads.stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no workload " + name));
  }

  /** Every ${?NAME} of the node's application.conf and the modules' reference.conf, and the image's shell variables. */
  private static Set<String> variablesTheNodeReads() throws IOException {
    Set<String> names = new TreeSet<>();
    List<Path> configs = new ArrayList<>();
    configs.add(repository.resolve("fleetpulse-node/src/main/resources/application.conf"));
    try (Stream<Path> modules = Files.list(repository)) {
      modules.map(m -> m.resolve("src/main/resources/reference.conf")).filter(Files::isRegularFile).forEach(configs::add);
    }
    for (Path config : configs) {
      Matcher matcher = CONFIG_ENV.matcher(Files.readString(config));
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    String entrypoint = Files.readAllLines(k8s.resolve("Dockerfile")).stream()
        .filter(line -> line.startsWith("ENTRYPOINT")).collect(Collectors.joining("\n"));
    Matcher matcher = SHELL_VARIABLE.matcher(entrypoint);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  /** The container's variables: its own and those of the config maps it takes whole. */
  private static Map<String, String> environment(Container container) {
    Map<String, String> variables = new java.util.LinkedHashMap<>();
    for (EnvFromSource source : Objects.requireNonNullElse(container.getEnvFrom(), List.<EnvFromSource>of())) {
      if (source.getConfigMapRef() != null) {
        variables.putAll(configMap(source.getConfigMapRef().getName()).getData());
      }
    }
    Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())
        .forEach(v -> variables.put(v.getName(), Objects.requireNonNullElse(v.getValue(), "(from " + v.getValueFrom() + ")")));
    return variables;
  }

  private static int httpPort(Workload workload) {
    return workload.containers().get(0).getPorts().stream().filter(p -> "http".equals(p.getName()))
        .mapToInt(ContainerPort::getContainerPort).findFirst().orElseThrow();
  }

  private static boolean declares(List<Container> containers, IntOrString port) {
    return containers.stream().flatMap(c -> Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of()).stream())
        .anyMatch(p -> port.getStrVal() != null ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort()));
  }

  private static List<Workload> selectedBy(Map<String, String> selector) {
    assertThat(selector).as("selector").isNotEmpty();
    return workloads.stream().filter(w -> w.labels().entrySet().containsAll(selector.entrySet())).toList();
  }

  private static ConfigMap configMap(String name) {
    return of(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no ConfigMap " + name));
  }

  private static Secret secret(String name) {
    return of(Secret.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no Secret " + name));
  }

  private static Set<String> names(Class<? extends HasMetadata> type) {
    return of(type).stream().map(r -> r.getMetadata().getName()).collect(Collectors.toSet());
  }

  private static <T extends HasMetadata> List<T> of(Class<T> type) {
    return manifests.stream().map(Manifest::resource).filter(type::isInstance).map(type::cast).toList();
  }

  private static List<Path> yamlFiles() throws IOException {
    try (Stream<Path> files = Files.walk(k8s)) {
      return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
    }
  }

  private static boolean isKustomization(Path file) {
    return file.getFileName().toString().equals("kustomization.yaml");
  }
}
