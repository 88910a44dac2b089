import io.fleetpulse.anomaly.AnomalySettings;
import io.fleetpulse.evaluation.nab.NabCorpusResult;
import io.fleetpulse.evaluation.nab.NabEvaluation;
import io.fleetpulse.evaluation.nab.NabSeriesResult;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Splits the adopted detector's raw NAB score, per profile, into what its detected windows earn, its
 * missed windows cost and its false positives cost (docs/nab-trials.md). Not part of the build; run
 * from the repository root after {@code mvn -B -o install -DskipTests}:
 * {@code java -cp "evaluation/target/evaluation.jar:evaluation/target/lib/*" docs/nab-trials/NabScoreParts.java ../shared/datasets/nab}
 */
public final class NabScoreParts {

  public static void main(String[] args) {
    NabEvaluation.Outcome outcome = NabEvaluation.offline(Path.of(args[0]),
        AnomalySettings.fromConfig(com.typesafe.config.ConfigFactory.load()));
    for (NabCorpusResult profile : outcome.profiles()) {
      NabSeriesResult total = profile.corpusTotal();
      System.out.printf(Locale.ROOT,
          "%-20s threshold %.6f  raw %.2f (null %.2f, perfect %.2f): %d windows found earn %.2f (%.3f each), "
              + "%d missed cost %.2f, %d false positives cost %.2f%n",
          profile.profile().name(), profile.threshold(), profile.rawScore(), profile.nullScore(), profile.perfectScore(),
          total.detectedWindows(), total.truePositiveScore(), total.truePositiveScore() / total.detectedWindows(),
          total.missedWindows(), -total.falseNegativeScore(), total.falsePositiveRows(), -total.falsePositiveScore());
    }
  }
}
