package io.fleetpulse.control.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one line of an upload becomes a device, or why it cannot. */
class BulkProvisioningTest {

  @Test
  void reads_a_csv_line_with_metadata_after_the_three_columns() {
    var device = BulkProvisioning.csv(" pump-1 , plant-1 ,rotating-machine, serial=SN-1 ,make=ACME");

    assertThat(device.id()).isEqualTo("pump-1");
    assertThat(device.site()).isEqualTo("plant-1");
    assertThat(device.profile()).isEqualTo("rotating-machine");
    assertThat(device.metadata()).containsExactly(Map.entry("serial", "SN-1"), Map.entry("make", "ACME"));
  }

  @Test
  void refuses_a_csv_line_without_its_columns_or_with_bad_metadata() {
    assertThatThrownBy(() -> BulkProvisioning.csv("pump-1,plant-1")).hasMessageContaining("id,site,profile");
    assertThatThrownBy(() -> BulkProvisioning.csv("pump-1,plant-1,rotating-machine,serial"))
        .hasMessageContaining("key=value");
    assertThatThrownBy(() -> BulkProvisioning.csv("x".repeat(BulkProvisioning.MAX_LINE + 1)))
        .hasMessageContaining("longer than");
  }

  @Test
  void reads_a_json_line_and_refuses_what_is_not_one_device() {
    var device = BulkProvisioning.jsonLine(
        "{\"id\":\"pump-2\",\"site\":\"plant-2\",\"profile\":\"rotating-machine\",\"metadata\":{\"serial\":\"SN-2\"}}");
    assertThat(device.metadata()).containsEntry("serial", "SN-2");

    assertThatThrownBy(() -> BulkProvisioning.jsonLine("{\"id\":\"pump-2\"")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> BulkProvisioning.jsonLine("{\"id\":7,\"site\":\"s\",\"profile\":\"p\"}"))
        .hasMessageContaining("text values");
    assertThatThrownBy(() -> BulkProvisioning.jsonLine("[1,2]")).hasMessageContaining("expected");
  }
}
