package dev.promptcanary.activities.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.serving.PromptVersion;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Reads a prompt_versions row, whose content is spread over plain and jsonb columns. */
public final class PromptVersionMapper implements RowMapper<PromptVersion> {
  private static final TypeReference<List<FewShotExample>> FEW_SHOT = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<Map<String, Object>> PARAMETERS = new TypeReference<>() {};

  @Override
  public PromptVersion map(ResultSet rs, StatementContext ctx) throws SQLException {
    PromptContent content =
        new PromptContent(
            rs.getString("system_prompt"),
            Json.read(rs.getString("few_shot"), FEW_SHOT),
            rs.getString("template"),
            rs.getString("model"),
            Json.read(rs.getString("parameters"), PARAMETERS));
    return new PromptVersion(
        rs.getString("prompt"),
        rs.getInt("version"),
        rs.getString("content_hash"),
        content,
        Json.read(rs.getString("variables"), STRINGS),
        rs.getString("author"),
        rs.getTimestamp("created_at").toInstant());
  }
}
