package io.fleetpulse.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.gateway.GatewaySettings;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class EmbeddedBrokerConfigTest {

  private static final GatewaySettings.EmbeddedBroker SETTINGS = new GatewaySettings.EmbeddedBroker(
      "0.0.0.0", Path.of("target/hivemq-test"), 321, 4_242L, 65_000, "in-memory", Duration.ofSeconds(5), 0, List.of());

  @Test
  void writes_well_formed_xml_with_listener_limits_and_no_usage_statistics() throws Exception {
    Document xml = parse(EmbeddedBroker.configXml(SETTINGS, 18_830, Optional.empty()));
    XPath xpath = XPathFactory.newInstance().newXPath();

    assertThat(xml.getDocumentElement().getNodeName()).isEqualTo("hivemq");
    assertThat(xpath.evaluate("/hivemq/listeners/tcp-listener/port", xml)).isEqualTo("18830");
    assertThat(xpath.evaluate("/hivemq/listeners/tcp-listener/bind-address", xml)).isEqualTo("0.0.0.0");
    assertThat(xpath.evaluate("/hivemq/mqtt/receive-maximum/server-receive-maximum", xml)).isEqualTo("321");
    assertThat(xpath.evaluate("/hivemq/mqtt/queued-messages/max-queue-size", xml)).isEqualTo("4242");
    assertThat(xpath.evaluate("/hivemq/mqtt/packets/max-packet-size", xml)).isEqualTo("65000");
    assertThat(xpath.evaluate("/hivemq/persistence/mode", xml)).isEqualTo("in-memory");
    assertThat(xpath.evaluate("/hivemq/anonymous-usage-statistics/enabled", xml)).isEqualTo("false");
    assertThat(xpath.evaluate("count(/hivemq/listeners/tls-tcp-listener)", xml)).isEqualTo("0");
  }

  @Test
  void adds_a_tls_listener_with_the_local_cas_key_stores_and_optional_client_certificates(
      @org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
    GatewaySettings.EmbeddedBroker tls = new GatewaySettings.EmbeddedBroker(
        "127.0.0.1", directory, 321, 4_242L, 65_000, "in-memory", Duration.ofSeconds(5), 18_883, List.of("127.0.0.1"));
    io.fleetpulse.gateway.tls.LocalCa ca = io.fleetpulse.gateway.tls.LocalCa.open(directory.resolve("tls"), List.of("127.0.0.1"));
    Document xml = parse(EmbeddedBroker.configXml(tls, 18_830, Optional.of(ca)));
    XPath xpath = XPathFactory.newInstance().newXPath();

    assertThat(xpath.evaluate("/hivemq/listeners/tls-tcp-listener/port", xml)).isEqualTo("18883");
    assertThat(xpath.evaluate("/hivemq/listeners/tls-tcp-listener/tls/keystore/path", xml))
        .isEqualTo(ca.brokerKeyStore().toString());
    assertThat(xpath.evaluate("/hivemq/listeners/tls-tcp-listener/tls/client-authentication-mode", xml)).isEqualTo("OPTIONAL");
    assertThat(io.fleetpulse.gateway.tls.LocalCa.open(directory.resolve("tls"), List.of("127.0.0.1")).caCertificate())
        .as("made once, read back after").isEqualTo(ca.caCertificate());
  }

  @Test
  void writes_the_defaults_of_the_reference_config() throws Exception {
    GatewaySettings.EmbeddedBroker defaults =
        GatewaySettings.fromConfig(ConfigFactory.load()).broker().embeddedBroker();
    Document xml = parse(EmbeddedBroker.configXml(defaults, 1883, Optional.empty()));
    XPath xpath = XPathFactory.newInstance().newXPath();

    assertThat(xpath.evaluate("/hivemq/listeners/tcp-listener/port", xml)).isEqualTo("1883");
    assertThat(xpath.evaluate("/hivemq/listeners/tcp-listener/bind-address", xml)).isEqualTo("127.0.0.1");
    assertThat(xpath.evaluate("/hivemq/mqtt/receive-maximum/server-receive-maximum", xml)).isEqualTo("1000");
    assertThat(xpath.evaluate("/hivemq/mqtt/queued-messages/max-queue-size", xml)).isEqualTo("1000000");
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }
}
