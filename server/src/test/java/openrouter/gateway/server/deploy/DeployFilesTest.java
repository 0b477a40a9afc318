package openrouter.gateway.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.server.config.Setting;
import openrouter.gateway.server.security.CallerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * deploy/compose.yaml and deploy/kubernetes/ stay consistent with the gateway: settings they
 * set exist, the keys files parse, the pod's grace outlasts the drain, and the hardening the
 * README promises is there. The files are parsed as YAML (no docker or kubectl here): the
 * objects refer to each other (selectors, envFrom, volumes, ports, probes, the Redis Service)
 * and the gateway's configuration loads from exactly what the pod gets.
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final Pattern SETTING = Pattern.compile("\\b((?:GATEWAY|OPENROUTER)_[A-Z0-9_]+)\\b");

  @TempDir
  Path dir;

  private static String read(String file) throws Exception {
    return Files.readString(DEPLOY.resolve(file));
  }

  @Test
  void everySettingTheFilesUseExists() throws Exception {
    Set<String> known = GatewayConfig.SETTINGS.stream().map(Setting::env).collect(Collectors.toSet());
    for (String file : new String[] {"compose.yaml", "kubernetes/configmap.yaml", "kubernetes/secret.yaml"}) {
      Matcher m = SETTING.matcher(read(file));
      while (m.find()) {
        assertThat(known).as(file + " sets " + m.group(1)).contains(m.group(1));
      }
    }
  }

  @Test
  void theKubernetesFilesAreCompleteAndHardened() throws Exception {
    String kustomization = read("kubernetes/kustomization.yaml");
    Matcher listed = Pattern.compile("- (\\S+\\.yaml)").matcher(kustomization);
    int n = 0;
    while (listed.find()) {
      assertThat(DEPLOY.resolve("kubernetes").resolve(listed.group(1))).exists();
      n++;
    }
    assertThat(n).isGreaterThanOrEqualTo(8);

    String deployment = read("kubernetes/deployment.yaml");
    Matcher grace = Pattern.compile("terminationGracePeriodSeconds: (\\d+)").matcher(deployment);
    assertThat(grace.find()).isTrue();
    Matcher drain = Pattern.compile("GATEWAY_SHUTDOWN_GRACE_MS: \"(\\d+)\"").matcher(read("kubernetes/configmap.yaml"));
    assertThat(drain.find()).isTrue();
    assertThat(Long.parseLong(grace.group(1)) * 1000).as("the pod's grace outlasts the drain")
        .isGreaterThan(Long.parseLong(drain.group(1)));
    assertThat(deployment).contains("livenessProbe:\n            grpc: {port: 50051}")
        .contains("readinessProbe:\n            grpc: {port: 50051}")
        .contains("runAsNonRoot: true").contains("readOnlyRootFilesystem: true")
        .contains("requests: {cpu:").contains("secretRef: {name: openrouter-gateway}")
        .contains("configMapRef: {name: openrouter-gateway}");
    assertThat(read("kubernetes/configmap.yaml")).contains("GATEWAY_REDIS_URL: redis://");
    assertThat(read("kubernetes/pdb.yaml")).contains("kind: PodDisruptionBudget");
    assertThat(read("kubernetes/hpa.yaml")).contains("kind: HorizontalPodAutoscaler");
    assertThat(read("kubernetes/service.yaml")).contains("kind: Service");
  }

  /** The manifests run the image the docs build, as the Dockerfile's own non-root user, on its ports. */
  @Test
  @SuppressWarnings("unchecked")
  void thePodRunsTheDockerfilesImageAsItsUserOnItsPorts() throws Exception {
    String dockerfile = Files.readString(DEPLOY.resolve("..").resolve("Dockerfile"));
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
    assertThat(user.find()).as("the Dockerfile names a numeric non-root user").isTrue();
    assertThat(Integer.parseInt(user.group(1))).isPositive();
    Matcher tag = Pattern.compile("docker build -t (\\S+) \\.").matcher(Files.readString(DEPLOY.resolve("..").resolve("docs/operations.md")));
    assertThat(tag.find()).isTrue();

    Map<String, Object> pod = at(kubernetesObjects().get("Deployment/openrouter-gateway"), "spec.template.spec");
    assertThat((Integer) at(pod, "securityContext.runAsUser")).isEqualTo(Integer.parseInt(user.group(1)));
    assertThat((Integer) at(pod, "securityContext.runAsGroup")).isEqualTo(Integer.parseInt(user.group(2)));
    Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
    assertThat((String) container.get("image")).startsWith(tag.group(1) + ":");
    Matcher exposed = Pattern.compile("(?m)^EXPOSE (\\d+) (\\d+)$").matcher(dockerfile);
    assertThat(exposed.find()).isTrue();
    assertThat(((List<Map<String, Object>>) container.get("ports")).stream().map(p -> p.get("containerPort")))
        .containsExactlyInAnyOrder(Integer.parseInt(exposed.group(1)), Integer.parseInt(exposed.group(2)));

    Map<String, Object> compose = yaml("compose.yaml").get(0);
    for (String replica : List.of("gateway-a", "gateway-b")) {
      Object image = at(compose, "services." + replica + ".image"); // merged from the x-gateway anchor
      assertThat(image).as(replica + " runs the image the docs build").isEqualTo(tag.group(1));
    }
  }

  @Test
  void theKeysFilesParse() throws Exception {
    Path compose = dir.resolve("compose-keys.txt");
    Files.writeString(compose, read("keys.txt"));
    assertThat(CallerRegistry.load(compose).size()).isEqualTo(1);

    String configMap = read("kubernetes/configmap.yaml");
    String block = configMap.substring(configMap.indexOf("keys.txt: |") + "keys.txt: |".length());
    Path kube = dir.resolve("kube-keys.txt");
    Files.writeString(kube, block.lines().map(String::strip).collect(Collectors.joining("\n")));
    assertThat(CallerRegistry.load(kube).size()).isEqualTo(1);
  }

  @Test
  void composeRunsTwoReplicasOnRedisBehindTheBalancerWithAGraceAboveTheDrain() throws Exception {
    String compose = read("compose.yaml");
    assertThat(compose).contains("gateway-a:").contains("gateway-b:").contains("redis:").contains("balancer:")
        .contains("GATEWAY_REDIS_URL: redis://redis:6379/0").contains("stop_grace_period: 35s").contains("read_only: true");
    assertThat(read("nginx.conf")).contains("grpc_pass grpc://gateways;").contains("server gateway-a:50051")
        .contains("server gateway-b:50051").contains("listen 50051 http2;");
  }

  // ---- Parsed: every file is YAML, and the objects agree with each other and the gateway ----

  private static Map<String, String> defaults() {
    return GatewayConfig.SETTINGS.stream().collect(Collectors.toMap(Setting::env, Setting::defaultValue));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> yaml(String file) throws Exception {
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object d : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(read(file))) {
      if (d != null) {
        assertThat(d).as(file + ": a document is a mapping").isInstanceOf(Map.class);
        documents.add((Map<String, Object>) d);
      }
    }
    assertThat(documents).as(file + " has a document").isNotEmpty();
    return documents;
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object node, String path) {
    Object n = node;
    for (String key : path.split("\\.")) {
      assertThat(n).as("a mapping above " + key + " in " + path).isInstanceOf(Map.class);
      n = ((Map<String, Object>) n).get(key);
      assertThat(n).as(path + " is set").isNotNull();
    }
    return (T) n;
  }

  /** Every Kubernetes object of deploy/kubernetes, by "Kind/name". */
  private static Map<String, Map<String, Object>> kubernetesObjects() throws Exception {
    Map<String, Map<String, Object>> objects = new HashMap<>();
    try (var files = Files.list(DEPLOY.resolve("kubernetes"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        String file = "kubernetes/" + f.getFileName();
        for (Map<String, Object> o : yaml(file)) {
          if (o.get("kind").equals("Kustomization")) {
            continue;
          }
          assertThat(o).as(file).containsKey("apiVersion");
          objects.put(o.get("kind") + "/" + at(o, "metadata.name"), o);
        }
      }
    }
    return objects;
  }

  @Test
  @SuppressWarnings("unchecked")
  void theKubernetesObjectsParseAndReferToEachOther() throws Exception {
    Map<String, Map<String, Object>> objects = kubernetesObjects();
    List<String> listed = at(yaml("kubernetes/kustomization.yaml").get(0), "resources");
    try (var files = Files.list(DEPLOY.resolve("kubernetes"))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("kustomization.yaml")))
          .as("every manifest is applied by the kustomization").containsExactlyInAnyOrderElementsOf(listed);
    }

    Map<String, Object> deployment = objects.get("Deployment/openrouter-gateway");
    Map<String, Object> pod = at(deployment, "spec.template");
    Map<String, String> podLabels = at(pod, "metadata.labels");
    assertThat(podLabels).containsAllEntriesOf(at(deployment, "spec.selector.matchLabels"));
    assertThat(podLabels).as("the Service selects the pods")
        .containsAllEntriesOf(at(objects.get("Service/openrouter-gateway"), "spec.selector"));
    assertThat(podLabels).as("the PodDisruptionBudget selects the pods")
        .containsAllEntriesOf(at(objects.get("PodDisruptionBudget/openrouter-gateway"), "spec.selector.matchLabels"));
    Map<String, Object> scaled = at(objects.get("HorizontalPodAutoscaler/openrouter-gateway"), "spec.scaleTargetRef");
    assertThat(objects).as("the autoscaler scales the Deployment").containsKey(scaled.get("kind") + "/" + scaled.get("name"));

    // The environment: ConfigMap and Secret hold only settings the gateway knows, and they load.
    Map<String, Object> container = ((List<Map<String, Object>>) at(pod, "spec.containers")).get(0);
    Map<String, String> env = new HashMap<>();
    for (Map<String, Map<String, String>> from : (List<Map<String, Map<String, String>>>) at(container, "envFrom")) {
      String kind = from.containsKey("configMapRef") ? "ConfigMap" : "Secret";
      String name = from.values().iterator().next().get("name");
      Map<String, Object> source = objects.get(kind + "/" + name);
      assertThat(source).as("envFrom " + kind + "/" + name + " exists").isNotNull();
      Map<String, Object> data = at(source, kind.equals("Secret") ? "stringData" : "data");
      data.forEach((k, v) -> env.put(k, String.valueOf(v)));
    }
    Set<String> known = defaults().keySet();
    assertThat(env.keySet()).as("every variable the pod gets is a setting").allMatch(known::contains);
    Map<String, String> settings = new HashMap<>(defaults());
    settings.putAll(env);

    // Ports and probes: the gRPC port the gateway listens on, the metrics port Prometheus scrapes.
    Map<String, Integer> ports = new HashMap<>();
    for (Map<String, Object> p : (List<Map<String, Object>>) at(container, "ports")) {
      ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
    }
    int grpcPort = Integer.parseInt(settings.get("GATEWAY_PORT"));
    assertThat(ports).containsEntry("grpc", grpcPort)
        .containsEntry("metrics", Integer.parseInt(settings.get("GATEWAY_METRICS_PORT")));
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertThat((Integer) at(container, probe + ".grpc.port")).as(probe + " on the gRPC port").isEqualTo(grpcPort);
    }
    Map<String, Object> annotations = at(pod, "metadata.annotations");
    assertThat(annotations.get("prometheus.io/port")).as("Prometheus scrapes the metrics port")
        .isEqualTo(settings.get("GATEWAY_METRICS_PORT"));
    for (Map<String, Object> p : (List<Map<String, Object>>) at(objects.get("Service/openrouter-gateway"), "spec.ports")) {
      assertThat(ports).as("Service targetPort " + p.get("targetPort")).containsKey((String) p.get("targetPort"));
    }

    // The drain, the hardening, the resources the autoscaler needs.
    assertThat((Integer) at(pod, "spec.terminationGracePeriodSeconds") * 1000L).as("the pod's grace outlasts the drain")
        .isGreaterThan(Long.parseLong(settings.get("GATEWAY_SHUTDOWN_GRACE_MS")));
    assertThat((Boolean) at(pod, "spec.securityContext.runAsNonRoot")).isTrue();
    assertThat((Boolean) at(container, "securityContext.readOnlyRootFilesystem")).isTrue();
    assertThat((Boolean) at(container, "securityContext.allowPrivilegeEscalation")).isFalse();
    assertThat((Object) at(container, "resources.requests.cpu")).as("the CPU autoscaler needs a CPU request").isNotNull();
    assertThat((Object) at(container, "resources.limits.memory")).isNotNull();

    // The keys file the settings name is a file the pod mounts, from a ConfigMap that has it.
    Path keysFile = Path.of(settings.get("GATEWAY_API_KEYS_FILE"));
    Map<String, Object> mount = ((List<Map<String, Object>>) at(container, "volumeMounts")).stream()
        .filter(m -> keysFile.startsWith((String) m.get("mountPath"))).findFirst().orElseThrow();
    Map<String, Object> volume = ((List<Map<String, Object>>) at(pod, "spec.volumes")).stream()
        .filter(v -> v.get("name").equals(mount.get("name"))).findFirst().orElseThrow();
    Map<String, Object> keysMap = objects.get("ConfigMap/" + at(volume, "configMap.name"));
    String keysText = (String) ((Map<String, Object>) at(keysMap, "data")).get(keysFile.getFileName().toString());
    assertThat(keysText).as(keysFile + " is in the mounted ConfigMap").isNotNull();

    // Redis: the URL names the Redis Service and its port.
    java.net.URI redis = java.net.URI.create(settings.get("GATEWAY_REDIS_URL"));
    Map<String, Object> redisService = objects.get("Service/" + redis.getHost());
    assertThat(redisService).as("a Service named like GATEWAY_REDIS_URL's host").isNotNull();
    assertThat(((List<Map<String, Object>>) at(redisService, "spec.ports")).stream().map(p -> p.get("port")))
        .contains(redis.getPort());

    // And the gateway starts from exactly these settings (the keys file copied where it can read it).
    Path keys = dir.resolve("keys.txt");
    Files.writeString(keys, keysText);
    env.put("GATEWAY_API_KEYS_FILE", keys.toString());
    GatewayConfig.load(env, List.of());
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeParsesAndItsReplicasReachRedisAndTheBalancerReachesThem() throws Exception {
    Map<String, Object> compose = yaml("compose.yaml").get(0);
    Map<String, Map<String, Object>> services = at(compose, "services");
    Map<String, String> defaults = defaults();
    for (String replica : List.of("gateway-a", "gateway-b")) {
      Map<String, Object> service = services.get(replica);
      Map<String, Object> environment = at(service, "environment");
      assertThat(environment.keySet()).as(replica + " sets only settings the gateway knows").allMatch(defaults::containsKey);
      assertThat((Boolean) at(service, "read_only")).isTrue();
      java.net.URI redis = java.net.URI.create((String) environment.get("GATEWAY_REDIS_URL"));
      assertThat(services).as(replica + " reaches Redis by its service name").containsKey(redis.getHost());
      assertThat((Map<String, Object>) at(service, "depends_on")).containsKey(redis.getHost());
      String keysFile = (String) environment.get("GATEWAY_API_KEYS_FILE");
      assertThat((List<String>) at(service, "volumes")).as(replica + " mounts its keys file")
          .anyMatch(v -> v.split(":")[1].equals(keysFile));
      String grace = ((String) at(service, "stop_grace_period")).replace("s", "");
      String drain = environment.getOrDefault("GATEWAY_SHUTDOWN_GRACE_MS", defaults.get("GATEWAY_SHUTDOWN_GRACE_MS")).toString();
      assertThat(Long.parseLong(grace) * 1000).as("compose waits for the drain").isGreaterThan(Long.parseLong(drain));
      assertThat(read("nginx.conf")).contains("server " + replica + ":" + defaults.get("GATEWAY_PORT"));
    }
    assertThat((List<String>) at(services.get("balancer"), "ports")).contains("50051:50051");
  }
}
