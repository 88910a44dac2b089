package io.fleetpulse.evaluation.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One NAB application profile: the weights the scoring rules apply to a detected window (A_TP), a
 * missed window (A_FN) and a false positive (A_FP). NAB ships three, in config/profiles.json; its
 * cost matrices also carry a true-negative weight, which no rule uses, so it is not kept here.
 *
 * @param name the profile's name as in profiles.json, e.g. {@code standard}
 * @param truePositiveWeight A_TP, the most a detected window can add
 * @param falseNegativeWeight A_FN, what a missed window costs
 * @param falsePositiveWeight A_FP, the most a false positive can cost
 */
public record NabProfile(String name, double truePositiveWeight, double falseNegativeWeight,
    double falsePositiveWeight) {

  /** NAB's standard profile: A_TP = 1, A_FN = 1, A_FP = 0.11. */
  public static final NabProfile STANDARD = new NabProfile("standard", 1.0, 1.0, 0.11);

  /** Favours few false positives: A_FP doubled to 0.22. */
  public static final NabProfile REWARD_LOW_FALSE_POSITIVE_RATE = new NabProfile("reward_low_FP_rate", 1.0, 1.0, 0.22);

  /** Favours few missed windows: A_FN doubled to 2. */
  public static final NabProfile REWARD_LOW_FALSE_NEGATIVE_RATE = new NabProfile("reward_low_FN_rate", 1.0, 2.0, 0.11);

  public NabProfile {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a profile needs a name");
    }
    requireWeight("tpWeight", truePositiveWeight);
    requireWeight("fnWeight", falseNegativeWeight);
    requireWeight("fpWeight", falsePositiveWeight);
  }

  /** NAB's three profiles, in the order of its profiles.json. */
  public static List<NabProfile> standardProfiles() {
    return List.of(STANDARD, REWARD_LOW_FALSE_POSITIVE_RATE, REWARD_LOW_FALSE_NEGATIVE_RATE);
  }

  /**
   * The profiles of a NAB profiles.json, in file order: each entry is
   * {@code "name": {"CostMatrix": {"tpWeight": .., "fnWeight": .., "fpWeight": .., "tnWeight": ..}}}.
   */
  public static List<NabProfile> read(Path profilesJson) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(profilesJson.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read NAB profiles " + profilesJson, e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(profilesJson + ": expected an object of profiles");
    }
    List<NabProfile> profiles = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      profiles.add(fromCostMatrix(profilesJson, entry.getKey(), entry.getValue().path("CostMatrix")));
    }
    return List.copyOf(profiles);
  }

  private static NabProfile fromCostMatrix(Path file, String name, JsonNode costMatrix) {
    return new NabProfile(name, weight(file, name, costMatrix, "tpWeight"), weight(file, name, costMatrix, "fnWeight"),
        weight(file, name, costMatrix, "fpWeight"));
  }

  private static double weight(Path file, String profile, JsonNode costMatrix, String field) {
    JsonNode value = costMatrix.path(field);
    if (!value.isNumber()) {
      throw new IllegalArgumentException(file + ": profile " + profile + " has no numeric CostMatrix." + field);
    }
    return value.doubleValue();
  }

  private static void requireWeight(String field, double weight) {
    if (!Double.isFinite(weight) || weight < 0) {
      throw new IllegalArgumentException(field + " must be finite and not negative: " + weight);
    }
  }
}
