package io.fleetpulse.control.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.error.ErrorCode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console's accounts, tokens and sessions; the test kit also serialises every command, event, reply and state. */
class AccessEntityTest {

  private static final ActorTestKit TEST_KIT = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final long START = Instant.parse("2026-12-07T09:00:00Z").toEpochMilli();

  private final AtomicLong now = new AtomicLong(START);
  private final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }
  };
  private final List<AccessDirectory> published = new CopyOnWriteArrayList<>();
  private EventSourcedBehaviorTestKit<AccessEntity.Command, AccessEntity.Event, AccessDirectory> entity;

  @BeforeEach
  void start() {
    entity = EventSourcedBehaviorTestKit.create(TEST_KIT.system(), AccessEntity.create(clock, published::add));
    entity.clear();
  }

  @AfterAll
  static void stop() {
    TEST_KIT.shutdownTestKit();
  }

  private AccessReply run(java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<AccessReply>,
      AccessEntity.Command> command) {
    return entity.<AccessReply>runCommand(command).reply();
  }

  private AccessDirectory directory(AccessReply reply) {
    assertThat(reply).isInstanceOf(AccessReply.Done.class);
    return ((AccessReply.Done) reply).directory();
  }

  private void ada() {
    directory(run(replyTo -> new AccessEntity.CreateAccount("ada", "hash-1", Set.of(ConsoleRole.OPERATOR),
        Set.of("plant-1"), "admin", replyTo)));
  }

  private void session(String id, String account, long lifetime) {
    directory(run(replyTo -> new AccessEntity.OpenSession(id, account, "cookie-" + id, "csrf-" + id, now.get() + lifetime,
        replyTo)));
  }

  @Test
  void an_account_is_created_once() {
    ada();
    AccessReply again = run(replyTo -> new AccessEntity.CreateAccount("ada", "hash-2", Set.of(ConsoleRole.ADMIN),
        Set.of(Sites.ALL), "admin", replyTo));

    assertThat(again).isEqualTo(new AccessReply.Refused(ErrorCode.ACCOUNT_EXISTS, "account 'ada' exists"));
    AccessDirectory directory = directory(run(AccessEntity.Get::new));
    assertThat(directory.accounts().get("ada").roles()).containsExactly(ConsoleRole.OPERATOR);
    assertThat(directory.accounts().get("ada").passwordHash()).isEqualTo("hash-1");
    assertThat(published).hasSize(1);
  }

  @Test
  void a_new_password_or_disabling_ends_the_account_s_sessions_only() {
    ada();
    directory(run(replyTo -> new AccessEntity.CreateAccount("bob", "hash-b", Set.of(ConsoleRole.VIEWER),
        Set.of(Sites.ALL), "admin", replyTo)));
    session("s1", "ada", 3_600_000);
    session("s2", "bob", 3_600_000);

    AccessDirectory afterPassword = directory(run(replyTo -> new AccessEntity.SetPassword("ada", "hash-3", "ada", replyTo)));
    assertThat(afterPassword.sessions()).containsOnlyKeys("s2");
    assertThat(afterPassword.accounts().get("ada").passwordHash()).isEqualTo("hash-3");

    AccessDirectory afterDisable = directory(run(replyTo -> new AccessEntity.ChangeAccount("bob", Set.of(ConsoleRole.VIEWER),
        Set.of(Sites.ALL), true, "admin", replyTo)));
    assertThat(afterDisable.sessions()).isEmpty();
    AccessReply refused = run(replyTo -> new AccessEntity.OpenSession("s3", "bob", "c", "x", now.get() + 1000, replyTo));
    assertThat(refused).isInstanceOf(AccessReply.Refused.class);
  }

  @Test
  void expired_sessions_leave_the_directory_at_the_next_change() {
    ada();
    session("short", "ada", 1_000);
    session("long", "ada", 3_600_000);
    now.addAndGet(2_000);

    AccessDirectory directory = directory(run(replyTo -> new AccessEntity.CloseSession("long", replyTo)));

    assertThat(directory.sessions()).isEmpty();
  }

  @Test
  void an_account_holds_at_most_its_newest_sessions() {
    ada();
    for (int i = 0; i < AccessDirectory.MAX_SESSIONS_PER_ACCOUNT + 3; i++) {
      now.incrementAndGet();
      session("s" + i, "ada", 3_600_000);
    }
    AccessDirectory directory = directory(run(AccessEntity.Get::new));
    assertThat(directory.sessions()).hasSize(AccessDirectory.MAX_SESSIONS_PER_ACCOUNT)
        .doesNotContainKeys("s0", "s1", "s2").containsKey("s" + (AccessDirectory.MAX_SESSIONS_PER_ACCOUNT + 2));
  }

  @Test
  void a_revoked_token_stays_listed_and_invalid_and_the_state_survives_a_restart() {
    directory(run(replyTo -> new AccessEntity.CreateToken("t1", "etl", "sha-1", Set.of(ConsoleRole.DATA), Set.of("plant-1"),
        START + 86_400_000, "admin", replyTo)));
    AccessDirectory revoked = directory(run(replyTo -> new AccessEntity.RevokeToken("t1", "admin", replyTo)));
    assertThat(revoked.tokens().get("t1").revoked()).isTrue();
    assertThat(revoked.tokens().get("t1").validAt(START)).isFalse();
    assertThat(run(replyTo -> new AccessEntity.RevokeToken("nope", "admin", replyTo)))
        .isEqualTo(new AccessReply.Refused(ErrorCode.TOKEN_UNKNOWN, "no API token 'nope'"));

    entity.restart();
    AccessDirectory recovered = directory(run(AccessEntity.Get::new));
    assertThat(recovered).isEqualTo(revoked);
    assertThat(published.get(published.size() - 1)).isEqualTo(revoked);
  }

  @Test
  void the_view_finds_tokens_and_sessions_by_hash_and_never_goes_back_a_revision() {
    ada();
    session("s1", "ada", 3_600_000);
    AccessDirectory newer = directory(run(AccessEntity.Get::new));
    AccessView view = new AccessView();
    assertThat(view.ready()).isFalse();
    view.apply(newer);
    view.apply(AccessDirectory.EMPTY);

    assertThat(view.ready()).isTrue();
    assertThat(view.sessionByHash("cookie-s1")).map(Session::account).contains("ada");
    assertThat(view.account("ada")).isPresent();
    assertThat(AccessView.hash("secret")).isEqualTo(AccessView.hash("secret")).isNotEqualTo(AccessView.hash("secreT"));
  }
}
