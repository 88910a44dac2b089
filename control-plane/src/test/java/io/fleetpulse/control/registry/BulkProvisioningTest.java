package io.fleetpulse.control.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
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

  @Test
  void an_over_long_line_is_refused_and_the_upload_goes_on_until_a_line_has_no_findable_end() throws Exception {
    ActorTestKit testKit = ActorTestKit.create();
    try {
      // No valid device line: nothing reaches an entity, so no registrations are needed. The
      // stream fails (and its last result says so) once 64 KiB pass without a line's end.
      BulkProvisioning bulk = new BulkProvisioning(null, 4, Duration.ofSeconds(5));
      String upload = "no,device\n" + "x".repeat(BulkProvisioning.MAX_LINE + 1) + "\n" + "still,not\n"
          + "y".repeat(BulkProvisioning.MAX_FRAME + 1) + "\n" + "never,read\n";

      List<BulkProvisioning.LineResult> results = bulk
          .provision(Source.from(chunks(upload, 1024)), BulkProvisioning.Format.CSV, "test", true)
          .runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);

      assertThat(results).extracting(BulkProvisioning.LineResult::line).containsExactly(1L, 2L, 3L, 0L);
      assertThat(results).extracting(BulkProvisioning.LineResult::code).containsOnly("request.invalid");
      assertThat(results.get(1).message()).contains("longer than " + BulkProvisioning.MAX_LINE);
      assertThat(results.get(3).message()).contains("the rest of the upload was not read");
    } finally {
      testKit.shutdownTestKit();
    }
  }

  /** The upload as it comes over HTTP: in chunks. */
  private static List<ByteString> chunks(String upload, int size) {
    List<ByteString> chunks = new java.util.ArrayList<>();
    for (int at = 0; at < upload.length(); at += size) {
      chunks.add(ByteString.fromString(upload.substring(at, Math.min(upload.length(), at + size))));
    }
    return chunks;
  }
}
