package io.sqlqueue.dialect;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import javax.sql.DataSource;

/** H2 2.x, for tests, demos and embedded single-process apps (file or in-memory). */
public class H2Dialect extends LockingClaimDialect {

	public H2Dialect(DataSource dataSource, String tablePrefix) {
		super(dataSource, tablePrefix);
	}

	@Override
	public String vendor() {
		return "h2";
	}

	@Override
	protected String now() {
		return "CURRENT_TIMESTAMP(6)";
	}

	@Override
	protected String plusMillis(String time, String millis) {
		return "DATEADD(MILLISECOND, CAST(" + millis + " AS BIGINT), " + time + ")";
	}

	@Override
	protected String timeParam() {
		return "CAST(? AS TIMESTAMP(6) WITH TIME ZONE)";
	}

	@Override
	protected Object toDatabaseTime(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	@Override
	protected Instant readTime(ResultSet rs, String column) throws SQLException {
		OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
		return (time != null) ? time.toInstant() : null;
	}

	@Override
	protected String multiInsertSql(String insert) {
		return "SELECT id FROM FINAL TABLE (" + insert + ")";
	}

}
