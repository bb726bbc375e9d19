/*
 * The stateful-e2e stand-in for the KubernetesSeedProvider of gcr.io/google-samples/cassandra:v12 (seeds/000 L632-642,
 * catalogue §E1): Cassandra's seeds are the addresses of the endpoints of the `cassandra` Service, read through the
 * Kubernetes API with the pod's service-account token. Written for this project from that contract; compiled by
 * ci/build-app-images.sh against the image's cassandra-all.
 *
 * Environment: CASSANDRA_SERVICE (default cassandra), POD_NAMESPACE (default: the service account's namespace),
 * KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (set by the kubelet).
 * Seeds: the Ready addresses; if none is Ready yet, the not-ready ones (pods that start together then find each
 * other instead of each founding a ring of its own); if the endpoints list nobody or cannot be read (no RBAC, no
 * API), the `seeds` parameter as SimpleSeedProvider reads it (run.sh puts CASSANDRA_SEEDS, default the pod's own IP,
 * there): each pod then founds a one-node ring, the split ring of catalogue E1.3. Every call logs what it found.
 */
package io.k8s.cassandra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.cassandra.locator.InetAddressAndPort;
import org.apache.cassandra.locator.SeedProvider;
import org.apache.cassandra.locator.SimpleSeedProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class KubernetesSeedProvider implements SeedProvider {
  private static final Logger log = LoggerFactory.getLogger(KubernetesSeedProvider.class);
  private static final Path SA = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private final SimpleSeedProvider fallback;

  public KubernetesSeedProvider(Map<String, String> args) {
    fallback = new SimpleSeedProvider(args);
  }

  @Override
  public List<InetAddressAndPort> getSeeds() {
    String service = env("CASSANDRA_SERVICE", "cassandra");
    String namespace = env("POD_NAMESPACE", null);
    try {
      if (namespace == null) namespace = Files.readString(SA.resolve("namespace")).trim();
      JsonNode endpoints = endpoints(namespace, service);
      List<String> ready = addresses(endpoints, "addresses");
      List<String> notReady = addresses(endpoints, "notReadyAddresses");
      List<String> chosen = ready.isEmpty() ? notReady : ready;
      if (!chosen.isEmpty()) {
        log.info("KubernetesSeedProvider: seeds {} ({} of endpoints {}/{}; ready {}, not ready {})", chosen,
            ready.isEmpty() ? "the not-ready addresses" : "the ready addresses", namespace, service, ready, notReady);
        List<InetAddressAndPort> seeds = new ArrayList<>();
        for (String ip : chosen) seeds.add(InetAddressAndPort.getByName(ip));
        return seeds;
      }
      log.info("KubernetesSeedProvider: endpoints {}/{} list no address; using the configured seeds", namespace, service);
    } catch (Exception e) {
      log.warn("KubernetesSeedProvider: cannot read endpoints {}/{}: {}; using the configured seeds", namespace, service, e.getMessage());
    }
    List<InetAddressAndPort> seeds = fallback.getSeeds();
    log.info("KubernetesSeedProvider: seeds {} (configured)", seeds);
    return seeds;
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  /** GET /api/v1/namespaces/NS/endpoints/SERVICE with the service-account token, trusting the cluster's CA. */
  private static JsonNode endpoints(String namespace, String service) throws Exception {
    String host = env("KUBERNETES_SERVICE_HOST", null);
    if (host == null) throw new IllegalStateException("KUBERNETES_SERVICE_HOST is not set (not in a pod?)");
    if (host.contains(":")) host = "[" + host + "]";
    String port = env("KUBERNETES_SERVICE_PORT", "443");
    String token = Files.readString(SA.resolve("token")).trim();
    HttpClient client = HttpClient.newBuilder().sslContext(trusting(SA.resolve("ca.crt"))).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create("https://" + host + ":" + port + "/api/v1/namespaces/" + namespace + "/endpoints/" + service))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json")
        .GET()
        .build();
    HttpResponse<String> res = client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (res.statusCode() == 404) return null; // no such Service yet: nobody to find
    if (res.statusCode() != 200) {
      String body = res.body().replaceAll("\\s+", " ");
      throw new IllegalStateException("HTTP " + res.statusCode() + ": " + (body.length() > 300 ? body.substring(0, 300) + "…" : body));
    }
    return new ObjectMapper().readTree(res.body());
  }

  /** The IPs under subsets[].FIELD[].ip, in the API's order, without repeats. */
  private static List<String> addresses(JsonNode endpoints, String field) {
    List<String> out = new ArrayList<>();
    if (endpoints == null) return out;
    for (JsonNode subset : endpoints.path("subsets"))
      for (JsonNode a : subset.path(field)) {
        String ip = a.path("ip").asText("");
        if (!ip.isEmpty() && !out.contains(ip)) out.add(ip);
      }
    return out;
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) ks.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
