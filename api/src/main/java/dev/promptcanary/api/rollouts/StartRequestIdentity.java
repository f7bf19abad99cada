package dev.promptcanary.api.rollouts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.client.WorkflowExecutionDescription;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * What tells a client's retry of a rollout start from another start: its {@code requestId} and a
 * digest of who sent what (the key's name and the body as sent), both kept in the workflow's memo.
 * A digest rather than the body, because the body may carry a webhook secret, which must never
 * reach Temporal.
 */
record StartRequestIdentity(String requestId, String digest) {
  static final String REQUEST_ID_MEMO = "requestId";
  static final String DIGEST_MEMO = "requestDigest";

  /** How a workflow's memo relates to this request. */
  enum Match {
    /** Started by this request (an earlier attempt of it). */
    SAME_REQUEST,
    /** Started with this request id but another body or by another key: a 409 on requestId. */
    OTHER_REQUEST,
    /** Not started with this request id. */
    UNRELATED
  }

  /** The identity of {@code request} from {@code caller}; null for a request without an id. */
  static StartRequestIdentity of(StartRolloutRequest request, String caller, ObjectMapper json) {
    if (request.requestId() == null) {
      return null;
    }
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(caller.getBytes(StandardCharsets.UTF_8));
      sha256.update((byte) 0);
      sha256.update(json.writeValueAsBytes(request));
      return new StartRequestIdentity(
          request.requestId(), HexFormat.of().formatHex(sha256.digest()));
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException("cannot digest a rollout start request", e);
    }
  }

  Map<String, Object> memo() {
    return Map.of(REQUEST_ID_MEMO, requestId, DIGEST_MEMO, digest);
  }

  Match against(WorkflowExecutionDescription workflow) {
    if (!requestId.equals(workflow.getMemo(REQUEST_ID_MEMO, String.class))) {
      return Match.UNRELATED;
    }
    return digest.equals(workflow.getMemo(DIGEST_MEMO, String.class))
        ? Match.SAME_REQUEST
        : Match.OTHER_REQUEST;
  }
}
