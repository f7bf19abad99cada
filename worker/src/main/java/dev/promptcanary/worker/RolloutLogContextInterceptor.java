package dev.promptcanary.worker;

import dev.promptcanary.activities.observability.LogContext;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import io.temporal.activity.Activity;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.lang.reflect.RecordComponent;

/**
 * Puts the rollout id, prompt and version into the MDC around every activity call, read from the
 * activity's input record (components {@code rolloutId}, {@code prompt}, {@code candidateVersion}
 * or {@code canaryVersion}, or a {@code spec}); the rollout id falls back to the workflow id, which
 * is the rollout id. So every line an activity logs, on its own thread, names its rollout.
 */
public final class RolloutLogContextInterceptor extends WorkerInterceptorBase {

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      @Override
      public ActivityOutput execute(ActivityInput input) {
        Object[] arguments = input.getArguments();
        Object first = arguments == null || arguments.length == 0 ? null : arguments[0];
        String rolloutId = text(first, "rolloutId");
        if (rolloutId == null) {
          rolloutId = Activity.getExecutionContext().getInfo().getWorkflowId();
        }
        RolloutSpec spec = component(first, "spec") instanceof RolloutSpec s ? s : null;
        String prompt = spec != null ? spec.prompt() : text(first, "prompt");
        Integer version = spec != null ? Integer.valueOf(spec.candidateVersion()) : null;
        if (version == null) {
          version = number(first, "candidateVersion");
        }
        if (version == null) {
          version = number(first, "canaryVersion");
        }
        LogContext.set(rolloutId, prompt, version);
        try {
          return super.execute(input);
        } finally {
          LogContext.clear();
        }
      }
    };
  }

  private static String text(Object record, String name) {
    return component(record, name) instanceof String s ? s : null;
  }

  private static Integer number(Object record, String name) {
    return component(record, name) instanceof Integer i ? i : null;
  }

  private static Object component(Object record, String name) {
    if (record == null || !record.getClass().isRecord()) {
      return null;
    }
    for (RecordComponent component : record.getClass().getRecordComponents()) {
      if (component.getName().equals(name)) {
        try {
          return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException | RuntimeException e) {
          return null;
        }
      }
    }
    return null;
  }
}
