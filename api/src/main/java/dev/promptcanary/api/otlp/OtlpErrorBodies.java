package dev.promptcanary.api.otlp;

import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.promptcanary.api.errors.ErrorResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;

/**
 * OTLP/HTTP asks for an error's body in the request's encoding, a {@code google.rpc.Status}: to a
 * binary-protobuf export, whatever error it gets (a 400 for a body that does not parse, 401, 403,
 * 413, 429) is sent as a protobuf Status whose message is the API's error message with its field,
 * so an exporter logs the reason. An OTLP/JSON export gets the API's JSON error shape, which reads
 * as a JSON Status ({@code code}, {@code message}) with one more field.
 */
public final class OtlpErrorBodies implements ContainerResponseFilter {
  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (!(response.getEntity() instanceof ErrorResponse error)
        || !request.getUriInfo().getPath().replaceFirst("^/", "").equals("v1/otlp/v1/traces")
        || !isProtobuf(request.getMediaType())) {
      return;
    }
    String message =
        error.field() == null || error.message().startsWith(error.field())
            ? error.message()
            : error.field() + ": " + error.message();
    Status status =
        Status.newBuilder().setCode(grpcCode(error.code()).getNumber()).setMessage(message).build();
    response.setEntity(status.toByteArray(), null, MediaType.valueOf(OtlpTraceResource.PROTOBUF));
  }

  /**
   * Only a body declared as protobuf gets a protobuf error: {@code isCompatible} would also match a
   * wildcard such as {@code *}{@code /*}, whose sender never asked for protobuf and reads JSON.
   */
  private static boolean isProtobuf(MediaType type) {
    MediaType protobuf = MediaType.valueOf(OtlpTraceResource.PROTOBUF);
    return type != null
        && type.getType().equalsIgnoreCase(protobuf.getType())
        && type.getSubtype().equalsIgnoreCase(protobuf.getSubtype());
  }

  /** The gRPC code an HTTP status stands for, as OTLP's gRPC transport would have said it. */
  private static Code grpcCode(int httpStatus) {
    return switch (httpStatus) {
      case 400, 413, 415, 422 -> Code.INVALID_ARGUMENT;
      case 401 -> Code.UNAUTHENTICATED;
      case 403 -> Code.PERMISSION_DENIED;
      case 404 -> Code.NOT_FOUND;
      case 429 -> Code.RESOURCE_EXHAUSTED;
      case 503 -> Code.UNAVAILABLE;
      default -> Code.INTERNAL;
    };
  }
}
