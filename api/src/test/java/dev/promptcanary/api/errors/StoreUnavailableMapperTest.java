package dev.promptcanary.api.errors;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.sql.SQLException;
import org.jdbi.v3.core.ConnectionException;
import org.junit.jupiter.api.Test;

/** A store that cannot be reached is a 503 with Retry-After; any other store error a 500. */
class StoreUnavailableMapperTest {
  private final StoreUnavailableMapper mapper = new StoreUnavailableMapper();

  @Test
  void aRefusedOrClosingConnectionIsA503WithRetryAfter() {
    for (Throwable cause :
        new Throwable[] {
          new SQLException("Connection to localhost:5432 refused", "08001"),
          new SQLException("terminating connection due to administrator command", "57P01"),
          new SQLException("the database system is starting up", "57P03"),
          new SQLException("sorry, too many clients already", "53300"),
          new SQLException("pool error", null, new ConnectException("Connection refused"))
        }) {
      Response response = mapper.toResponse(new ConnectionException(cause));
      assertThat(response.getStatus()).as(cause.getMessage()).isEqualTo(503);
      assertThat(response.getHeaderString("Retry-After")).isEqualTo("5");
      ErrorResponse body = (ErrorResponse) response.getEntity();
      assertThat(body.code()).isEqualTo(503);
      assertThat(body.message()).contains("PostgreSQL").contains("retry");
    }
  }

  @Test
  void anyOtherStoreErrorStaysA500() {
    Response response =
        mapper.toResponse(
            new ConnectionException(new SQLException("duplicate key value", "23505")));
    assertThat(response.getStatus()).isEqualTo(500);
    assertThat(response.getHeaderString("Retry-After")).isNull();
  }
}
