package io.fleetpulse.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.gateway.GatewaySettings;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class EmbeddedBrokerConfigTest {

  private static final GatewaySettings.EmbeddedBroker SETTINGS = new GatewaySettings.EmbeddedBroker(
      "0.0.0.0", Path.of("target/hivemq-test"), 321, 4_242L, 65_000, "in-memory", Duration.ofSeconds(5));

  @Test
  void writes_well_formed_xml_with_listener_limits_and_no_usage_statistics() throws Exception {
    Document xml = parse(EmbeddedBroker.configXml(SETTINGS, 18_830));
    XPath xpath = XPathFactory.newInstance().newXPath();

    assertThat(xml.getDocumentElement().getNodeName()).isEqualTo("hivemq");
    assertThat(xpath.evaluate("/hivemq/listeners/tcp-listener/port", xml)).isEqualTo("18830");
    assertThat(xpath.evaluate("/hivemq/listeners/tcp-listener/bind-address", xml)).isEqualTo("0.0.0.0");
    assertThat(xpath.evaluate("/hivemq/mqtt/receive-maximum/server-receive-maximum", xml)).isEqualTo("321");
    assertThat(xpath.evaluate("/hivemq/mqtt/queued-messages/max-queue-size", xml)).isEqualTo("4242");
    assertThat(xpath.evaluate("/hivemq/mqtt/packets/max-packet-size", xml)).isEqualTo("65000");
    assertThat(xpath.evaluate("/hivemq/persistence/mode", xml)).isEqualTo("in-memory");
    assertThat(xpath.evaluate("/hivemq/anonymous-usage-statistics/enabled", xml)).isEqualTo("false");
  }

  @Test
  void writes_the_defaults_of_the_reference_config() throws Exception {
    GatewaySettings.EmbeddedBroker defaults =
        GatewaySettings.fromConfig(ConfigFactory.load()).broker().embeddedBroker();
    Document xml = parse(EmbeddedBroker.configXml(defaults, 1883));
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
