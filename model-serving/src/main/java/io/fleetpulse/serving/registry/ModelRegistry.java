package io.fleetpulse.serving.registry;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.fleetpulse.serving.ServingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX models this node serves, read from {@code <directory>/<name>/<version>/} (model.onnx
 * and model.json). At start the highest version of each model becomes active. At run time a
 * version can be loaded, put in shadow (run beside the active one, its answers recorded but not
 * served) and promoted, all without a restart; which version that is is the cluster's decision
 * ({@link io.fleetpulse.serving.ModelDecision}), the pool only follows it. A version that fails to
 * load or whose graph disagrees with its metadata is refused and the active one keeps serving.
 *
 * <p>An optional admission check says what the node's callers need of a version before it may
 * serve: the node passes one that compares the version's input (features, window, min-window,
 * fill) with the device profiles that bind the model. A version it objects to never becomes
 * active nor shadow: at start the highest version it admits serves, and promote and shadow of a
 * version it refuses are refused with its sentences ({@link #check}), the active version serving on.
 *
 * <p>{@link #loadVersion} blocks (it builds a session) and may run on any thread; every other
 * method changes or reads the registry's state and is called by the pool's actor only.
 */
public final class ModelRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  private static final Comparator<String> VERSION_ORDER = ModelRegistry::compareVersions;
  private static final java.util.regex.Pattern SAFE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Path directory;
  private final ServingSettings.Execution execution;
  private final OrtEnvironment environment;
  private final Function<ModelMetadata, List<String>> admission;
  private final Map<String, Entry> models = new TreeMap<>();
  private boolean cudaReported;

  private static final class Entry {
    final Map<String, LoadedModel> loaded = new TreeMap<>(VERSION_ORDER);
    LoadedModel active;
    LoadedModel shadow;
  }

  /** A registry that admits every version that loads. */
  public ModelRegistry(Path directory, ServingSettings.Execution execution) {
    this(directory, execution, metadata -> List.of());
  }

  /**
   * @param admission a version's problems for its callers, one sentence each; empty admits it
   */
  public ModelRegistry(Path directory, ServingSettings.Execution execution,
      Function<ModelMetadata, List<String>> admission) {
    this.directory = directory;
    this.execution = execution;
    this.admission = admission;
    this.environment = OrtEnvironment.getEnvironment();
  }

  /**
   * Loads and activates the highest version of every model in the directory that loads and is
   * admitted; a refused version is reported and stays loaded (listed, not served).
   */
  public List<String> loadAll() {
    List<String> problems = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      LOG.warn("model registry directory {} does not exist; no models are served", directory.toAbsolutePath());
      return problems;
    }
    try (Stream<Path> names = Files.list(directory)) {
      for (Path modelDirectory : names.filter(Files::isDirectory).sorted().toList()) {
        String name = modelDirectory.getFileName().toString();
        List<String> versions = versionsOf(name);
        for (int i = versions.size() - 1; i >= 0; i--) {
          try {
            install(loadVersion(name, versions.get(i)));
            promote(name, versions.get(i));
            break;
          } catch (ModelLoadException | IllegalArgumentException e) {
            problems.add(e.getMessage()); // the caller reports them
          }
        }
      }
    } catch (IOException e) {
      problems.add("cannot list " + directory + ": " + e.getMessage());
    }
    return problems;
  }

  /** The versions present on disk for a model, lowest first. */
  public List<String> versionsOf(String name) {
    Optional<Path> inside = inside(name, null);
    if (inside.isEmpty()) {
      return List.of();
    }
    Path modelDirectory = inside.get();
    if (!Files.isDirectory(modelDirectory)) {
      return List.of();
    }
    try (Stream<Path> versions = Files.list(modelDirectory)) {
      return versions.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted(VERSION_ORDER).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Builds and checks a session for one version. Blocking; changes nothing in the registry. */
  public LoadedModel loadVersion(String name, String version) throws ModelLoadException {
    String what = "model " + name + " version " + version;
    Optional<Path> inside = inside(name, version);
    if (inside.isEmpty()) {
      throw new ModelLoadException(what + ": not a name of the model registry ([A-Za-z0-9][A-Za-z0-9._-]{0,63})");
    }
    Path versionDirectory = inside.get();
    // The messages here reach HTTP clients: they name no file system path; the cause (logged) does.
    ModelMetadata metadata;
    try {
      metadata = ModelMetadata.read(versionDirectory.resolve("model.json"));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ModelLoadException(what + ": unreadable model.json: the version has none", e);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(what + ": unreadable model.json: not valid metadata", e);
    }
    if (!metadata.name().equals(name) || !metadata.version().equals(version)) {
      throw new ModelLoadException(what + ": model.json names " + metadata.name() + " version " + metadata.version());
    }
    OrtSession.SessionOptions options;
    try {
      options = sessionOptions(); // a strict CUDA configuration that cannot be met throws here, not per model
    } catch (OrtException e) {
      throw new ModelLoadException(what + ": cannot prepare session options: " + e.getMessage(), e);
    }
    OrtSession session;
    try {
      session = environment.createSession(versionDirectory.resolve("model.onnx").toString(), options);
    } catch (OrtException | RuntimeException e) {
      throw new ModelLoadException(what + ": ONNX Runtime cannot load model.onnx (missing or not a valid model)", e);
    }
    LoadedModel model = new LoadedModel(metadata, environment, session);
    try {
      Optional<String> disagreement = model.disagreement();
      if (disagreement.isPresent()) {
        model.retire();
        throw new ModelLoadException(what + ": graph disagrees with model.json: " + disagreement.get());
      }
    } catch (OrtException e) {
      model.retire();
      throw new ModelLoadException(what + ": cannot inspect the graph: " + e.getMessage(), e);
    }
    try {
      // A first run here, not on a device's first window: ONNX Runtime's first run of a session
      // allocates and plans, which took seconds on a busy two-core machine, long enough for the
      // windows queued behind it to be pushed out of their device's ring.
      model.run(new float[metadata.input().valuesPerSample()], 1);
    } catch (OrtException | RuntimeException e) {
      model.retire();
      throw new ModelLoadException(what + ": cannot run a window of zeros: " + e.getMessage(), e);
    }
    return model;
  }

  /**
   * Whether {@code name} can be a model's name or version: a single directory name, never {@code
   * ..}, a separator or NUL. The HTTP API refuses others before they get here.
   */
  public static boolean isValidName(String name) {
    return name != null && SAFE_NAME.matcher(name).matches();
  }

  /**
   * {@code <directory>/<name>} (or {@code <directory>/<name>/<version>} when a version is given)
   * when both are valid names and the path, resolved and normalised, is still that many levels
   * inside the registry directory: a second guard behind the name check; empty otherwise.
   */
  Optional<Path> inside(String name, String version) {
    if (!isValidName(name) || (version != null && !isValidName(version))) {
      return Optional.empty();
    }
    Path root = directory.toAbsolutePath().normalize();
    Path model = root.resolve(name).normalize();
    if (!root.equals(model.getParent())) {
      return Optional.empty();
    }
    if (version == null) {
      return Optional.of(model);
    }
    Path versionDirectory = model.resolve(version).normalize();
    return model.equals(versionDirectory.getParent()) ? Optional.of(versionDirectory) : Optional.empty();
  }

  private OrtSession.SessionOptions sessionOptions() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(execution.intraOpThreads());
    options.setInterOpNumThreads(execution.interOpThreads());
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (execution.provider().equals("cuda")) {
      try {
        OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(execution.cudaDeviceId());
        cuda.add("gpu_mem_limit", Long.toString(execution.cudaMemoryLimitBytes()));
        options.addCUDA(cuda);
      } catch (OrtException | RuntimeException | LinkageError e) {
        if (execution.strict()) {
          throw new IllegalStateException("CUDA was configured strictly but cannot be initialised: " + e.getMessage(), e);
        }
        if (!cudaReported) {
          LOG.warn("CUDA cannot be initialised ({}); running models on CPU", e.getMessage());
          cudaReported = true;
        }
      }
    }
    return options;
  }

  /**
   * Adds a loaded version; it serves nothing until promoted or shadowed. Versions are immutable:
   * a version already loaded is refused (and the new session closed); publish a new version.
   */
  public void install(LoadedModel model) {
    Entry entry = models.computeIfAbsent(model.metadata().name(), n -> new Entry());
    if (entry.loaded.containsKey(model.metadata().version())) {
      model.retire();
      throw new IllegalArgumentException(alreadyLoaded(model.metadata().name(), model.metadata().version()));
    }
    entry.loaded.put(model.metadata().version(), model);
  }

  /** Adds a loaded version, or closes it when that version is loaded already; whether it was added. */
  public boolean installOrClose(LoadedModel model) {
    if (isLoaded(model.metadata().name(), model.metadata().version())) {
      model.retire();
      return false;
    }
    install(model);
    return true;
  }

  public boolean isLoaded(String name, String version) {
    Entry entry = models.get(name);
    return entry != null && entry.loaded.containsKey(version);
  }

  public static String alreadyLoaded(String name, String version) {
    return "version " + version + " of " + name + " is already loaded; versions are immutable, publish a new version";
  }

  public Optional<LoadedModel> active(String name) {
    Entry entry = models.get(name);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.active);
  }

  public Optional<LoadedModel> shadow(String name) {
    Entry entry = models.get(name);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.shadow);
  }

  /** Makes a loaded version active; refused (IllegalArgumentException) if not admitted. */
  public void promote(String name, String version) {
    Entry entry = entry(name);
    LoadedModel model = loaded(entry, name, version);
    if (entry.active == model) {
      return;
    }
    admit(model, ModelUse.SERVE);
    entry.active = model;
    if (entry.shadow == model) {
      entry.shadow = null;
    }
    LOG.info("model {} now serves version {}", name, version);
  }

  public void shadow(String name, String version) {
    Entry entry = entry(name);
    LoadedModel model = loaded(entry, name, version);
    if (model == entry.active) {
      throw new IllegalArgumentException("version " + version + " of " + name + " is active; shadow another version");
    }
    admit(model, ModelUse.SHADOW);
    entry.shadow = model;
    LOG.info("model {} version {} runs in shadow", name, version);
  }

  public void clearShadow(String name) {
    entry(name).shadow = null;
  }

  /**
   * Whether a loaded version may be used so; refused (IllegalArgumentException, with the admission
   * check's sentences) when it is not loaded or not admitted. Changes nothing.
   */
  public void check(String name, String version, ModelUse use) {
    LoadedModel model = loaded(entry(name), name, version);
    if (use != ModelUse.LOAD) {
      admit(model, use);
    }
  }

  public List<ModelStatus> status() {
    List<ModelStatus> statuses = new ArrayList<>();
    models.forEach((name, entry) -> statuses.add(new ModelStatus(
        name,
        entry.active == null ? null : entry.active.metadata().version(),
        entry.shadow == null ? null : entry.shadow.metadata().version(),
        List.copyOf(entry.loaded.keySet()),
        refused(entry), 0, null)));
    return statuses;
  }

  /** The loaded versions the admission check refuses, in version order, each with its sentences. */
  private java.util.Map<String, List<String>> refused(Entry entry) {
    java.util.Map<String, List<String>> refused = new java.util.LinkedHashMap<>();
    entry.loaded.forEach((version, model) -> {
      List<String> problems = admission.apply(model.metadata());
      if (!problems.isEmpty()) {
        refused.put(version, List.copyOf(problems));
      }
    });
    return java.util.Collections.unmodifiableMap(refused);
  }

  private void admit(LoadedModel model, ModelUse use) {
    List<String> problems = admission.apply(model.metadata());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("version " + model.metadata().version() + " of " + model.metadata().name()
          + " cannot be " + use.sentence() + ": " + String.join("; ", problems));
    }
  }

  private Entry entry(String name) {
    Entry entry = models.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("no model " + name + " is loaded");
    }
    return entry;
  }

  private static LoadedModel loaded(Entry entry, String name, String version) {
    LoadedModel model = entry.loaded.get(version);
    if (model == null) {
      throw new IllegalArgumentException("version " + version + " of " + name + " is not loaded (loaded: " + entry.loaded.keySet() + ")");
    }
    return model;
  }

  /** Numeric versions compare as numbers (2 before 10), others as text. */
  static int compareVersions(String a, String b) {
    boolean numericA = a.chars().allMatch(Character::isDigit) && !a.isEmpty();
    boolean numericB = b.chars().allMatch(Character::isDigit) && !b.isEmpty();
    if (numericA && numericB) {
      int byLength = Integer.compare(a.length(), b.length());
      return byLength != 0 ? byLength : a.compareTo(b);
    }
    return a.compareTo(b);
  }

  @Override
  public void close() {
    for (Entry entry : models.values()) {
      entry.loaded.values().forEach(LoadedModel::retire);
      entry.loaded.clear();
    }
    models.clear();
  }
}
