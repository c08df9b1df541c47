package io.sqlqueue.dialect;


import javax.sql.DataSource;

/** H2 2.x, for tests, demos and embedded single-process apps (file or in-memory). */
public class H2Dialect extends LockingClaimDialect {

	/** A dialect for the {@code tablePrefix} tables of {@code dataSource}; see {@link #validateTablePrefix(String)}. */
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
	protected String returningIdsSql(String insert) {
		return "SELECT id FROM FINAL TABLE (" + insert + ")";
	}

}
