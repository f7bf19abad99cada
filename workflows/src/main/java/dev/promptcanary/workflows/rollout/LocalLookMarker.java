package dev.promptcanary.workflows.rollout;

import io.temporal.api.common.v1.Payloads;
import io.temporal.api.history.v1.MarkerRecordedEventAttributes;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import java.util.Optional;

/**
 * A look run as a local activity ({@link ChangeIds#LOOK_LOCAL_FIRST}) as it stands in a rollout's
 * history: the Java SDK's {@code LocalActivity} marker, with the activity's type, input and result
 * (or its failure) as details. The readers of looks (the dashboard, the benchmarks, the Temporal UI
 * check) read markers through here, so the SDK's layout is written down once.
 */
public final class LocalLookMarker {
  /** The Java SDK's name for a local activity's marker. */
  public static final String NAME = "LocalActivity";

  private LocalLookMarker() {}

  /**
   * The local activity's type (its {@code @ActivityMethod} name), or null when the marker is no
   * local activity's or its type cannot be read.
   */
  public static String activityType(MarkerRecordedEventAttributes marker, DataConverter converter) {
    Payloads type = marker.getDetailsMap().get("type");
    if (!NAME.equals(marker.getMarkerName()) || type == null) {
      return null;
    }
    try {
      return converter.fromPayloads(0, Optional.of(type), String.class, String.class);
    } catch (DataConverterException e) {
      return null;
    }
  }

  /** Whether the marker is a look that completed: its report is in the marker. */
  public static boolean isCompletedLook(
      MarkerRecordedEventAttributes marker, DataConverter converter) {
    return marker.getDetailsMap().containsKey("result")
        && RolloutActivities.ANALYSE.equals(activityType(marker, converter));
  }

  /** The look's {@link AnalysisRequest}, as a payload (null if absent). */
  public static Payloads input(MarkerRecordedEventAttributes marker) {
    return marker.getDetailsMap().get("input");
  }

  /** The look's {@link AnalysisReport}, as a payload (null if it failed). */
  public static Payloads result(MarkerRecordedEventAttributes marker) {
    return marker.getDetailsMap().get("result");
  }
}
