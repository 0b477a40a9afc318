package openrouter.gateway.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import openrouter.gateway.server.config.GatewayConfig;
import openrouter.gateway.server.config.Setting;
import openrouter.gateway.server.security.CallerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/compose.yaml and deploy/kubernetes/ stay consistent with the gateway: settings they
 * set exist, the keys files parse, the pod's grace outlasts the drain, and the hardening the
 * README promises is there.
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
}
