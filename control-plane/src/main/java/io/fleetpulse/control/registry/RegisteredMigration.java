package io.fleetpulse.control.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * {@link DeviceEntity.Registered} as stored by earlier versions, read by this one. Pekko's Jackson
 * serializer writes the current version into each event's manifest and hands older ones here.
 * Version 2 added {@code metadata}: a version 1 event had none.
 */
public final class RegisteredMigration extends JacksonMigration {

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (fromVersion < 2 && json instanceof ObjectNode event && !event.has("metadata")) {
      event.putObject("metadata");
    }
    return json;
  }
}
