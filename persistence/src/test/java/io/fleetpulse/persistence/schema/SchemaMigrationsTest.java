package io.fleetpulse.persistence.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {

  private final SchemaMigrations migrations = new SchemaMigrations(null, "fleet_test");

  @Test
  void splits_a_script_into_statements_with_the_keyspace_filled_in() {
    List<String> statements = migrations.statements("""
        -- a comment; with a semicolon
        CREATE TABLE IF NOT EXISTS ${keyspace}.a (
          id text PRIMARY KEY
        );

        CREATE TABLE IF NOT EXISTS ${keyspace}.b (id text PRIMARY KEY);
        """);

    assertThat(statements).containsExactly(
        "CREATE TABLE IF NOT EXISTS fleet_test.a (\n  id text PRIMARY KEY\n)",
        "CREATE TABLE IF NOT EXISTS fleet_test.b (id text PRIMARY KEY)");
  }

  @Test
  void refuses_a_script_whose_last_statement_is_not_terminated() {
    assertThatThrownBy(() -> migrations.statements("CREATE TABLE x (id text PRIMARY KEY)"))
        .hasMessageContaining("ends without ';'");
  }

  @Test
  void every_shipped_script_parses() {
    for (String script : SchemaMigrations.SCRIPTS) {
      assertThat(SchemaMigrations.class.getResource("/schema/" + script)).as(script).isNotNull();
    }
  }

  @Test
  void refuses_keyspace_names_that_would_inject_cql() {
    assertThatThrownBy(() -> new SchemaMigrations(null, "fleet; DROP KEYSPACE x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void renders_replication_as_a_cql_map() {
    Map<String, Object> replication = new LinkedHashMap<>();
    replication.put("class", "SimpleStrategy");
    replication.put("replication_factor", 1);
    assertThat(SchemaMigrations.replicationCql(replication)).isEqualTo("{'class': 'SimpleStrategy', 'replication_factor': '1'}");
  }
}
