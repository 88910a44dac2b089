package io.fleetpulse.persistence.cassandra;

import com.datastax.oss.driver.api.core.session.SessionBuilder;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Applies {@link CassandraSettings}' credentials and TLS to a driver session builder: the node's
 * own sessions ({@code FleetStorage}) and the Pekko Persistence journal's ({@link
 * JournalSessionProvider}) reach an external cluster the same way. With neither configured the
 * builder is left as it is (the embedded node has no authentication and no TLS).
 */
public final class CassandraSessions {

  private CassandraSessions() {}

  /** {@code builder}, with the settings' credentials and TLS if configured. */
  public static <B extends SessionBuilder<B, ?>> B secure(B builder, CassandraSettings settings) {
    settings.credentials().ifPresent(c -> builder.withAuthCredentials(c.username(), c.password()));
    settings.tls().ifPresent(tls -> builder.withSslEngineFactory(
        new ProgrammaticSslEngineFactory(sslContext(tls), null, tls.hostnameValidation())));
    return builder;
  }

  /** A TLS context trusting the configured truststore, or the JVM's default trust. */
  static SSLContext sslContext(CassandraSettings.Tls tls) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      if (tls.trustStore().isEmpty()) {
        context.init(null, null, null);
        return context;
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(tls.trustStore().get(), tls.trustStorePassword().toCharArray()));
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the Cassandra truststore " + tls.trustStore().orElse(null), e);
    }
  }

  private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
    // PKCS12 is the JVM's default type and also reads JKS files.
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }
}
