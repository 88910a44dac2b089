package io.fleetpulse.control.access;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.error.ErrorCode;
import java.time.Clock;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The console's accounts, API tokens and sessions for the whole cluster: one Cluster Sharding
 * entity ({@value #ID}) whose events are the journal, with a snapshot every {@value
 * #SNAPSHOT_EVERY} events. Secrets arrive hashed (the caller hashes them off the actor). Every
 * change, and the directory the entity recovers to, is handed to {@code publish} for every node's
 * {@link AccessView}; a signed-in session is an event too, so it holds on every node.
 */
public final class AccessEntity
    extends EventSourcedBehaviorWithEnforcedReplies<AccessEntity.Command, AccessEntity.Event, AccessDirectory> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "ConsoleAccess");
  /** The one entity's id. */
  public static final String ID = "console";
  static final int SNAPSHOT_EVERY = 100;

  public sealed interface Command extends CborSerializable
      permits CreateAccount, ChangeAccount, SetPassword, CreateToken, RevokeToken, OpenSession, CloseSession, Get {}

  public record CreateAccount(String name, String passwordHash, Set<ConsoleRole> roles, Set<String> sites, String by,
      ActorRef<AccessReply> replyTo) implements Command {}

  /** New roles, sites and whether it is disabled; disabling closes its sessions. */
  public record ChangeAccount(String name, Set<ConsoleRole> roles, Set<String> sites, boolean disabled, String by,
      ActorRef<AccessReply> replyTo) implements Command {}

  /** A new password hash; the account's sessions are closed. */
  public record SetPassword(String name, String passwordHash, String by, ActorRef<AccessReply> replyTo)
      implements Command {}

  public record CreateToken(String id, String name, String hash, Set<ConsoleRole> roles, Set<String> sites,
      long expiresAtMillis, String by, ActorRef<AccessReply> replyTo) implements Command {}

  public record RevokeToken(String id, String by, ActorRef<AccessReply> replyTo) implements Command {}

  /** Refused unless the account exists and is enabled (it may have changed since the password was checked). */
  public record OpenSession(String id, String account, String hash, String csrfToken, long expiresAtMillis,
      ActorRef<AccessReply> replyTo) implements Command {}

  /** Done whether or not the session was still open. */
  public record CloseSession(String id, ActorRef<AccessReply> replyTo) implements Command {}

  public record Get(ActorRef<AccessReply> replyTo) implements Command {}

  /** Serialised with Jackson (CBOR); a field added later is optional (absent in older events). */
  public sealed interface Event extends CborSerializable permits AccountCreated, AccountChanged, PasswordSet,
      TokenCreated, TokenRevoked, SessionOpened, SessionClosed {
    long atMillis();
  }

  public record AccountCreated(String name, String passwordHash, Set<ConsoleRole> roles, Set<String> sites, String by,
      long atMillis) implements Event {}

  public record AccountChanged(String name, Set<ConsoleRole> roles, Set<String> sites, boolean disabled, String by,
      long atMillis) implements Event {}

  public record PasswordSet(String name, String passwordHash, String by, long atMillis) implements Event {}

  public record TokenCreated(String id, String name, String hash, Set<ConsoleRole> roles, Set<String> sites,
      long expiresAtMillis, String by, long atMillis) implements Event {}

  public record TokenRevoked(String id, String by, long atMillis) implements Event {}

  public record SessionOpened(String id, String account, String hash, String csrfToken, long expiresAtMillis,
      long atMillis) implements Event {}

  public record SessionClosed(String id, long atMillis) implements Event {}

  private final Clock clock;
  private final Consumer<AccessDirectory> publish;

  public static Behavior<Command> create(Clock clock, Consumer<AccessDirectory> publish) {
    return Behaviors.setup(context -> new AccessEntity(clock, publish));
  }

  private AccessEntity(Clock clock, Consumer<AccessDirectory> publish) {
    super(PersistenceId.of(TYPE_KEY.name(), ID));
    this.clock = clock;
    this.publish = publish;
  }

  @Override
  public AccessDirectory emptyState() {
    return AccessDirectory.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, AccessDirectory> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(CreateAccount.class, (state, c) -> state.accounts().containsKey(c.name())
            ? refused(c.replyTo(), ErrorCode.ACCOUNT_EXISTS, "account '" + c.name() + "' exists")
            : change(new AccountCreated(c.name(), c.passwordHash(), c.roles(), c.sites(), c.by(), clock.millis()),
                c.replyTo()))
        .onCommand(ChangeAccount.class, (state, c) -> !state.accounts().containsKey(c.name())
            ? unknownAccount(c.name(), c.replyTo())
            : change(new AccountChanged(c.name(), c.roles(), c.sites(), c.disabled(), c.by(), clock.millis()),
                c.replyTo()))
        .onCommand(SetPassword.class, (state, c) -> !state.accounts().containsKey(c.name())
            ? unknownAccount(c.name(), c.replyTo())
            : change(new PasswordSet(c.name(), c.passwordHash(), c.by(), clock.millis()), c.replyTo()))
        .onCommand(CreateToken.class, (state, c) -> state.tokens().containsKey(c.id())
            ? refused(c.replyTo(), ErrorCode.REQUEST_INVALID, "token id '" + c.id() + "' is taken")
            : change(new TokenCreated(c.id(), c.name(), c.hash(), c.roles(), c.sites(), c.expiresAtMillis(), c.by(),
                clock.millis()), c.replyTo()))
        .onCommand(RevokeToken.class, (state, c) -> !state.tokens().containsKey(c.id())
            ? refused(c.replyTo(), ErrorCode.TOKEN_UNKNOWN, "no API token '" + c.id() + "'")
            : state.tokens().get(c.id()).revoked() ? done(state, c.replyTo())
            : change(new TokenRevoked(c.id(), c.by(), clock.millis()), c.replyTo()))
        .onCommand(OpenSession.class, (state, c) -> {
          Account account = state.accounts().get(c.account());
          return account == null || account.disabled()
              ? refused(c.replyTo(), ErrorCode.AUTH_INVALID, "account '" + c.account() + "' cannot sign in")
              : change(new SessionOpened(c.id(), c.account(), c.hash(), c.csrfToken(), c.expiresAtMillis(),
                  clock.millis()), c.replyTo());
        })
        .onCommand(CloseSession.class, (state, c) -> state.sessions().containsKey(c.id())
            ? change(new SessionClosed(c.id(), clock.millis()), c.replyTo())
            : done(state, c.replyTo()))
        .onCommand(Get.class, (state, c) -> done(state, c.replyTo()))
        .build();
  }

  private ReplyEffect<Event, AccessDirectory> change(Event event, ActorRef<AccessReply> replyTo) {
    return Effect().persist(event)
        .thenRun(publish::accept)
        .thenReply(replyTo, AccessReply.Done::new);
  }

  private ReplyEffect<Event, AccessDirectory> done(AccessDirectory state, ActorRef<AccessReply> replyTo) {
    return Effect().reply(replyTo, new AccessReply.Done(state));
  }

  private ReplyEffect<Event, AccessDirectory> unknownAccount(String name, ActorRef<AccessReply> replyTo) {
    return refused(replyTo, ErrorCode.ACCOUNT_UNKNOWN, "no account '" + name + "'");
  }

  private ReplyEffect<Event, AccessDirectory> refused(ActorRef<AccessReply> replyTo, ErrorCode code, String message) {
    return Effect().reply(replyTo, new AccessReply.Refused(code, message));
  }

  @Override
  public EventHandler<AccessDirectory, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(AccountCreated.class, (state, e) -> state.withAccount(new Account(e.name(), e.passwordHash(),
            e.roles(), e.sites(), false, e.by(), e.atMillis(), e.atMillis()), e.atMillis()))
        .onEvent(AccountChanged.class, (state, e) -> {
          Account was = state.accounts().get(e.name());
          AccessDirectory changed = state.withAccount(new Account(e.name(), was.passwordHash(), e.roles(), e.sites(),
              e.disabled(), was.createdBy(), was.createdAtMillis(), e.atMillis()), e.atMillis());
          return e.disabled() ? closeSessionsOf(changed, e.name()) : changed;
        })
        .onEvent(PasswordSet.class, (state, e) -> {
          Account was = state.accounts().get(e.name());
          return closeSessionsOf(state.withAccount(new Account(e.name(), e.passwordHash(), was.roles(), was.sites(),
              was.disabled(), was.createdBy(), was.createdAtMillis(), e.atMillis()), e.atMillis()), e.name());
        })
        .onEvent(TokenCreated.class, (state, e) -> state.withToken(new ApiToken(e.id(), e.name(), e.hash(), e.roles(),
            e.sites(), e.by(), e.atMillis(), e.expiresAtMillis(), false), e.atMillis()))
        .onEvent(TokenRevoked.class, (state, e) -> {
          ApiToken was = state.tokens().get(e.id());
          return state.withToken(new ApiToken(was.id(), was.name(), was.hash(), was.roles(), was.sites(),
              was.createdBy(), was.createdAtMillis(), was.expiresAtMillis(), true), e.atMillis());
        })
        .onEvent(SessionOpened.class, (state, e) -> state.withSessions(sessions -> {
          sessions.put(e.id(), new Session(e.id(), e.account(), e.hash(), e.csrfToken(), e.atMillis(), e.expiresAtMillis()));
          return AccessDirectory.trimmed(sessions, e.account(), AccessDirectory.MAX_SESSIONS_PER_ACCOUNT);
        }, e.atMillis()))
        .onEvent(SessionClosed.class, (state, e) -> state.withSessions(sessions -> {
          sessions.remove(e.id());
          return sessions;
        }, e.atMillis()))
        .build();
  }

  /** The same directory (no extra revision) without the account's sessions. */
  private static AccessDirectory closeSessionsOf(AccessDirectory directory, String account) {
    java.util.Map<String, Session> open = new java.util.HashMap<>(directory.sessions());
    open.values().removeIf(session -> session.account().equals(account));
    return new AccessDirectory(directory.accounts(), directory.tokens(), open, directory.revision(),
        directory.updatedAtMillis());
  }

  /**
   * A started entity hands its directory to every node again (a lost publication heals here); an
   * empty one reaches each node as the answer to its first {@link Get}.
   */
  @Override
  public SignalHandler<AccessDirectory> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.revision() > 0) {
            publish.accept(state);
          }
        })
        .build();
  }
}
