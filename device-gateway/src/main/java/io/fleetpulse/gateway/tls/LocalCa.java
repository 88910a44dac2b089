package io.fleetpulse.gateway.tls;

import io.fleetpulse.gateway.auth.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
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
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The fleet's own certificate authority, kept in a directory: made at first start (ECDSA P-256
 * keys, certificates signed with Bouncy Castle; nothing downloaded), then read back. It signs the
 * embedded broker's server certificate (for its TLS listener, valid for the given host names) and
 * the certificates of X.509 devices (subject CN = device id). Files:
 * <ul>
 *   <li>{@code ca.pem}: the CA certificate, public: what clients trust;
 *   <li>{@code ca.p12}: the CA key and certificate; {@code broker.p12}: the broker's key and chain;
 *       {@code trust.p12}: the CA certificate for the broker to check client certificates with;
 *   <li>{@code keystore-password}: the password of the three PKCS#12 files.
 * </ul>
 * Everything but {@code ca.pem} is readable by the owner only.
 */
public final class LocalCa {

  private static final String CA_ALIAS = "fleetpulse-ca";
  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final Duration LEAF_VALIDITY = Duration.ofDays(825);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path directory;
  private final char[] password;
  private final PrivateKey caKey;
  private final X509Certificate caCertificate;

  private LocalCa(Path directory, char[] password, PrivateKey caKey, X509Certificate caCertificate) {
    this.directory = directory;
    this.password = password;
    this.caKey = caKey;
    this.caCertificate = caCertificate;
  }

  /**
   * The CA in {@code directory}, made there first when it holds none, with a broker certificate
   * for {@code hostNames} (IP addresses or DNS names).
   */
  public static LocalCa open(Path directory, List<String> hostNames) {
    try {
      Files.createDirectories(directory);
      Path passwordFile = directory.resolve("keystore-password");
      if (!Files.exists(directory.resolve("ca.p12"))) {
        String password = Secrets.newSecret();
        KeyPair ca = keyPair();
        X509Certificate caCertificate = caCertificate(ca);
        writePrivate(passwordFile, password.getBytes(StandardCharsets.UTF_8));
        LocalCa created = new LocalCa(directory, password.toCharArray(), ca.getPrivate(), caCertificate);
        created.writeKeyStore("ca.p12", CA_ALIAS, ca.getPrivate(), caCertificate);
        Files.writeString(directory.resolve("ca.pem"), pem(caCertificate));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(CA_ALIAS, caCertificate);
        created.store(trust, "trust.p12");
        created.issueBroker(hostNames);
        return created;
      }
      char[] password = Files.readString(passwordFile).strip().toCharArray();
      KeyStore store = load(directory.resolve("ca.p12"), password);
      return new LocalCa(directory, password, (PrivateKey) store.getKey(CA_ALIAS, password),
          (X509Certificate) store.getCertificate(CA_ALIAS));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make or read the local CA in " + directory, e);
    }
  }

  public Path brokerKeyStore() {
    return directory.resolve("broker.p12");
  }

  public Path trustStore() {
    return directory.resolve("trust.p12");
  }

  /** The CA certificate in PEM, for clients to trust. */
  public Path caCertificatePem() {
    return directory.resolve("ca.pem");
  }

  public X509Certificate caCertificate() {
    return caCertificate;
  }

  public String keyStorePassword() {
    return new String(password);
  }

  /**
   * A key and certificate for the X.509 device {@code deviceId} (subject CN = its id), with the
   * CA's certificate as its chain, in a PKCS#12 key store under alias {@code deviceId} protected
   * by {@code storePassword}: what the device presents over mutual TLS.
   */
  public KeyStore issueDevice(String deviceId, char[] storePassword) {
    try {
      KeyPair device = keyPair();
      X509Certificate certificate = leaf(device, deviceId, new GeneralNames(new GeneralName(GeneralName.dNSName, deviceId)),
          KeyPurposeId.id_kp_clientAuth);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(deviceId, device.getPrivate(), storePassword, new Certificate[] {certificate, caCertificate});
      return store;
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + deviceId, e);
    }
  }

  private void issueBroker(List<String> hostNames) throws GeneralSecurityException, OperatorCreationException, IOException {
    KeyPair broker = keyPair();
    List<GeneralName> names = new ArrayList<>();
    for (String host : hostNames) {
      names.add(new GeneralName(host.matches("[0-9.]+|[0-9a-fA-F:]+") ? GeneralName.iPAddress : GeneralName.dNSName, host));
    }
    X509Certificate certificate = leaf(broker, "fleetpulse-broker", new GeneralNames(names.toArray(GeneralName[]::new)),
        KeyPurposeId.id_kp_serverAuth);
    writeKeyStore("broker.p12", "broker", broker.getPrivate(), certificate, caCertificate);
  }

  private X509Certificate leaf(KeyPair keys, String commonName, GeneralNames subjectAlternativeNames, KeyPurposeId purpose)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(LEAF_VALIDITY)), name(commonName), keys.getPublic());
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
        .addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames)
        .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(caCertificate))
        .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
  }

  private static X509Certificate caCertificate(KeyPair ca) throws GeneralSecurityException, OperatorCreationException,
      IOException {
    Instant now = Instant.now();
    X500Name subject = name("FleetPulse local CA");
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_VALIDITY)), subject, ca.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(ca.getPublic()));
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "FleetPulse").addRDN(BCStyle.CN, commonName).build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private void writeKeyStore(String file, String alias, PrivateKey key, Certificate... chain)
      throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(alias, key, password, chain);
    store(store, file);
  }

  private void store(KeyStore store, String file) throws GeneralSecurityException, IOException {
    Path temporary = Files.createTempFile(directory, file, ".tmp");
    restrictToOwner(temporary);
    try (OutputStream out = Files.newOutputStream(temporary)) {
      store.store(out, password);
    }
    Files.move(temporary, directory.resolve(file), StandardCopyOption.ATOMIC_MOVE);
  }

  private static KeyStore load(Path file, char[] password) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }

  private static void writePrivate(Path file, byte[] content) throws IOException {
    Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    restrictToOwner(temporary);
    Files.write(temporary, content);
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void restrictToOwner(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: left as the platform makes it
    }
  }

  private static String pem(X509Certificate certificate) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(certificate);
    }
    return text.toString();
  }
}
