package io.fleetpulse.node.remoting;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.gateway.tls.LocalCa;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pekko remoting between nodes over TLS, configured as Kubernetes configures it: the node's
 * application.conf with the FLEETPULSE_ARTERY_* variables set. Two nodes whose key stores the
 * cluster's CA signed form a cluster; a node whose key another CA signed cannot join, even though
 * it trusts the cluster's CA (both sides must present a certificate).
 */
class ArteryTlsTest {

  private static final Duration FORMED_WITHIN = Duration.ofSeconds(20);
  private static final Duration REFUSED_FOR = Duration.ofSeconds(5);

  @TempDir
  Path directory;

  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  @AfterEach
  void terminate() throws Exception {
    systems.forEach(ActorSystem::terminate);
    for (ActorSystem<Void> system : systems) {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void nodes_with_keys_of_the_cluster_ca_form_a_cluster_over_tls_and_another_cas_key_cannot_join() throws Exception {
    LocalCa clusterCa = LocalCa.open(directory.resolve("cluster-ca"), List.of("127.0.0.1"));
    LocalCa otherCa = LocalCa.open(directory.resolve("other-ca"), List.of("127.0.0.1"));
    Path trustStore = clusterCa.trustStore();

    ActorSystem<Void> first = start(node(clusterCa, "node-1"), trustStore, clusterCa.keyStorePassword());
    ActorSystem<Void> second = start(node(clusterCa, "node-2"), trustStore, clusterCa.keyStorePassword());
    assertThat(first.settings().config().getString("pekko.remote.artery.transport")).isEqualTo("tls-tcp");
    Cluster cluster = Cluster.get(first);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Cluster.get(second).manager().tell(Join.create(cluster.selfMember().address()));

    // Each member learns of its own Up by gossip: wait for the second's view as well as the first's.
    assertThat(waitFor(() -> upMembers(cluster) == 2 && Cluster.get(second).selfMember().status() == MemberStatus.up(),
        FORMED_WITHIN)).as("two members up over tls-tcp, in both members' views").isTrue();

    // Trusts the cluster's CA, but its own key was signed by another: the cluster's side refuses it.
    ActorSystem<Void> intruder = start(node(otherCa, "intruder"), trustStore, clusterCa.keyStorePassword());
    Cluster.get(intruder).manager().tell(Join.create(cluster.selfMember().address()));

    assertThat(waitFor(() -> upMembers(cluster) > 2 || Cluster.get(intruder).selfMember().status() == MemberStatus.up(),
        REFUSED_FOR)).as("the intruder joined").isFalse();
    assertThat(StreamSupport.stream(cluster.state().getMembers().spliterator(), false).map(Member::address))
        .doesNotContain(Cluster.get(intruder).selfMember().address());
  }

  private ActorSystem<Void> start(Path keyStore, Path trustStore, String trustStorePassword) {
    Map<String, String> environment = Map.of(
        "FLEETPULSE_CLUSTER_PORT", "0",
        "FLEETPULSE_ARTERY_TRANSPORT", "tls-tcp",
        "FLEETPULSE_ARTERY_KEYSTORE", keyStore.toString(),
        "FLEETPULSE_ARTERY_KEYSTORE_PASSWORD", "node-secret",
        "FLEETPULSE_ARTERY_TRUSTSTORE", trustStore.toString(),
        "FLEETPULSE_ARTERY_TRUSTSTORE_PASSWORD", trustStorePassword);
    // The environment's names at the root of the config are what ${?NAME} finds first.
    Config config = ConfigFactory.parseString("""
            pekko.coordinated-shutdown.exit-jvm = off
            # Nothing to drain here; a refused peer's association must not hold the shutdown.
            pekko.coordinated-shutdown.phases.actor-system-terminate.timeout = 2s
            pekko.coordinated-shutdown.phases.before-actor-system-terminate.timeout = 2s
            pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 2s
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.cluster.roles = []
            """)
        .withFallback(ConfigFactory.parseMap(environment))
        .withFallback(ConfigFactory.parseResources("application.conf"))
        .withFallback(ConfigFactory.defaultReferenceUnresolved())
        .resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "fleetpulse", config);
    systems.add(system);
    return system;
  }

  /** A PKCS#12 key store for one node: its key, a certificate for TLS client and server signed by {@code ca}. */
  private Path node(LocalCa ca, String name) throws Exception {
    Path caDirectory = ca.caCertificatePem().getParent();
    char[] caPassword = ca.keyStorePassword().toCharArray();
    KeyStore caStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(caDirectory.resolve("ca.p12"))) {
      caStore.load(in, caPassword);
    }
    PrivateKey caKey = (PrivateKey) caStore.getKey("fleetpulse-ca", caPassword);
    X509Certificate caCertificate = ca.caCertificate();

    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    Instant now = Instant.now();
    X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
        new JcaX509v3CertificateBuilder(caCertificate, new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
            new X500Name("O=FleetPulse,CN=" + name), keys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));

    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(name, keys.getPrivate(), "node-secret".toCharArray(), new Certificate[] {certificate, caCertificate});
    Path file = directory.resolve(name + ".p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, "node-secret".toCharArray());
    }
    return file;
  }

  private static long upMembers(Cluster cluster) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  private static boolean waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }
}
