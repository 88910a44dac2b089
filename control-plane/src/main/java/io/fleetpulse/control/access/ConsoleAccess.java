package io.fleetpulse.control.access;

import io.fleetpulse.api.Backoff;
import io.fleetpulse.api.Stages;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.control.ControlPlaneSettings;
import io.fleetpulse.control.Replication;
import io.fleetpulse.gateway.auth.Secrets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The console's accounts, tokens and sessions on one node: the {@link AccessEntity} (sharded),
 * this node's replication into its {@link AccessView}, and the commands the HTTP API sends.
 * Passwords are hashed and checked on the blocking dispatcher (PBKDF2 takes tens of
 * milliseconds by design), never on the caller's thread.
 */
public final class ConsoleAccess {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleAccess.class);
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  private static final Backoff ASK_AGAIN = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10));

  /**
   * The entity's answer to a request that made a secret, and the secret, to be shown to the caller
   * once (null when the caller chose it, or when the entity refused).
   */
  public record Issued(String id, String secret, AccessReply reply) {}

  /** A new session: the cookie's value, and the session as every node holds it (empty when refused). */
  public record Opened(String cookie, Optional<Session> session, AccessReply reply) {}

  private final ActorSystem<?> system;
  private final AccessView view;
  private final ControlPlaneSettings settings;
  private final Executor hashing;
  private final int passwordIterations;
  private final Clock clock;
  /** A hash checked when an account does not exist, so that a wrong name costs what a wrong password does. */
  private final String decoy;

  private ConsoleAccess(ActorSystem<?> system, AccessView view, ControlPlaneSettings settings, int passwordIterations,
      Clock clock) {
    this.system = system;
    this.view = view;
    this.settings = settings;
    this.passwordIterations = passwordIterations;
    this.clock = clock;
    this.hashing = system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
    this.decoy = Secrets.hash(Secrets.newSecret(), passwordIterations);
  }

  /**
   * Starts the entity's shard region and the replication into {@code view}, and asks the entity for
   * its directory until the view holds one (the entity recovers on the first ask).
   *
   * @param passwordIterations PBKDF2 iterations of a new password's hash
   */
  public static ConsoleAccess start(ActorSystem<?> system, AccessView view, Clock clock, ControlPlaneSettings settings,
      int passwordIterations) {
    ActorRef<Replication.Command<AccessDirectory>> replication = system.systemActorOf(
        Replication.create(new Replication.Spec<>("console-access", 1, directory -> AccessEntity.ID,
            AccessDirectory::revision, settings.writeTimeout()), view::apply, directory -> { }),
        "console-access-replication", Props.empty());
    ClusterSharding.get(system).init(Entity.of(AccessEntity.TYPE_KEY,
        context -> AccessEntity.create(clock, directory -> replication.tell(new Replication.Publish<>(directory)))));
    ConsoleAccess access = new ConsoleAccess(system, view, settings, passwordIterations, clock);
    access.load(0);
    return access;
  }

  private void load(int attempt) {
    ask(AccessEntity.Get::new).whenComplete((reply, failure) -> {
      if (!(reply instanceof AccessReply.Done)) {
        Duration wait = ASK_AGAIN.delay(attempt);
        LOG.info("console accounts not loaded yet ({}); asking again in {}", failure, wait);
        system.scheduler().scheduleOnce(wait, () -> load(attempt + 1), system.executionContext());
      }
    });
  }

  public AccessView view() {
    return view;
  }

  /** Completes once this node's view holds the directory. */
  public CompletionStage<AccessDirectory> loaded(Duration within) {
    CompletableFuture<AccessDirectory> loaded = new CompletableFuture<>();
    long deadline = System.nanoTime() + within.toNanos();
    poll(loaded, deadline);
    return loaded;
  }

  private void poll(CompletableFuture<AccessDirectory> loaded, long deadline) {
    if (view.ready()) {
      loaded.complete(view.directory());
    } else if (System.nanoTime() > deadline) {
      loaded.completeExceptionally(new java.util.concurrent.TimeoutException("the console's accounts did not load"));
    } else {
      system.scheduler().scheduleOnce(Duration.ofMillis(50), () -> poll(loaded, deadline), system.executionContext());
    }
  }

  /** The account whose password this is, if any and enabled; checked on the blocking dispatcher. */
  public CompletionStage<Optional<Account>> verifyPassword(String name, String password) {
    return CompletableFuture.supplyAsync(() -> {
      Optional<Account> account = view.account(name).filter(a -> !a.disabled());
      boolean matches = Secrets.verify(password, account.map(Account::passwordHash).orElse(decoy));
      return account.filter(a -> matches);
    }, hashing);
  }

  /** Creates an account; with a null password one is generated and returned (once) as {@link Issued#secret()}. */
  public CompletionStage<Issued> createAccount(String name, String password, Set<ConsoleRole> roles, Set<String> sites,
      String by) {
    String secret = password == null ? Secrets.newSecret() : password;
    return CompletableFuture.supplyAsync(() -> Secrets.hash(secret, passwordIterations), hashing)
        .thenCompose(hash -> ask(replyTo -> new AccessEntity.CreateAccount(name, hash, roles, sites, by, replyTo)))
        .thenApply(reply -> reply instanceof AccessReply.Done done
            ? new Issued(name, password == null ? secret : null, done) : new Issued(name, null, reply));
  }

  public CompletionStage<AccessReply> changeAccount(String name, Set<ConsoleRole> roles, Set<String> sites,
      boolean disabled, String by) {
    return ask(replyTo -> new AccessEntity.ChangeAccount(name, roles, sites, disabled, by, replyTo));
  }

  /** Sets a password (a null one: generated, returned once as {@link Issued#secret()}); the account's sessions end. */
  public CompletionStage<Issued> setPassword(String name, String password, String by) {
    String secret = password == null ? Secrets.newSecret() : password;
    return CompletableFuture.supplyAsync(() -> Secrets.hash(secret, passwordIterations), hashing)
        .thenCompose(hash -> ask(replyTo -> new AccessEntity.SetPassword(name, hash, by, replyTo)))
        .thenApply(reply -> reply instanceof AccessReply.Done done
            ? new Issued(name, password == null ? secret : null, done) : new Issued(name, null, reply));
  }

  /** A new API token ({@code fpt_<id>_<secret>}), returned once; the directory keeps its SHA-256. */
  public CompletionStage<Issued> createToken(String name, Set<ConsoleRole> roles, Set<String> sites, Duration lifetime,
      String by) {
    String id = newId();
    String token = "fpt_" + id + "_" + Secrets.newSecret();
    long expires = clock.millis() + lifetime.toMillis();
    return ask(replyTo -> new AccessEntity.CreateToken(id, name, AccessView.hash(token), roles, sites, expires, by,
        replyTo))
        .thenApply(reply -> new Issued(id, reply instanceof AccessReply.Done ? token : null, reply));
  }

  /** Installs a token its holder chose (a deployment's bootstrap token), under a fresh id. */
  public CompletionStage<Issued> installToken(String token, String name, Set<ConsoleRole> roles, Set<String> sites,
      Duration lifetime, String by) {
    String id = newId();
    return ask(replyTo -> new AccessEntity.CreateToken(id, name, AccessView.hash(token), roles, sites,
        clock.millis() + lifetime.toMillis(), by, replyTo))
        .thenApply(reply -> new Issued(id, null, reply));
  }

  public CompletionStage<AccessReply> revokeToken(String id, String by) {
    return ask(replyTo -> new AccessEntity.RevokeToken(id, by, replyTo));
  }

  /** Opens a session of {@code account} for {@code lifetime}; refused if the account changed meanwhile. */
  public CompletionStage<Opened> openSession(String account, Duration lifetime) {
    String cookie = Secrets.newSecret();
    String id = newId();
    String hash = AccessView.hash(cookie);
    return ask(replyTo -> new AccessEntity.OpenSession(id, account, hash, Secrets.newSecret(),
        clock.millis() + lifetime.toMillis(), replyTo))
        .thenApply(reply -> {
          if (reply instanceof AccessReply.Done done && done.directory().sessions().containsKey(id)) {
            return new Opened(cookie, Optional.of(done.directory().sessions().get(id)), reply);
          }
          return new Opened(cookie, Optional.empty(), reply instanceof AccessReply.Refused ? reply
              : new AccessReply.Refused(ErrorCode.AUTH_INVALID, "the session was not opened"));
        });
  }

  public CompletionStage<AccessReply> closeSession(String id) {
    return ask(replyTo -> new AccessEntity.CloseSession(id, replyTo));
  }

  /**
   * Asks the entity; the directory it answers with is this node's view at once, so the caller's
   * next request sees its own change without waiting for the replication.
   */
  private CompletionStage<AccessReply> ask(
      org.apache.pekko.japi.function.Function<ActorRef<AccessReply>, AccessEntity.Command> command) {
    EntityRef<AccessEntity.Command> entity = ClusterSharding.get(system).entityRefFor(AccessEntity.TYPE_KEY, AccessEntity.ID);
    return Stages.plain(entity.ask(command, settings.askTimeout())).thenApply(reply -> {
      if (reply instanceof AccessReply.Done done) {
        view.apply(done.directory());
      }
      return reply;
    });
  }

  /** A public id of a token or session: 64 random bits, hex. */
  private static String newId() {
    return HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(8).putLong(RANDOM.nextLong()).array());
  }
}
