package io.sqlqueue.internal.store;

/**
 * PostgreSQL 12+: claims with {@code FOR UPDATE SKIP LOCKED} in one {@code UPDATE ... RETURNING}, writes a
 * batch of runs in one statement over arrays, and wakes idle workers with {@code pg_notify}.
 */
final class PostgresVendor extends Vendor {

	@Override
	public String name() {
		return "postgresql";
	}

	@Override
	public String now() {
		return "now()";
	}

	@Override
	public String plusMillis(String time, String millis) {
		return "(" + time + " + CAST(" + millis + " AS double precision) * interval '1 millisecond')";
	}

	@Override
	public String returningIds(String insert) {
		return insert + " RETURNING id";
	}

	@Override
	public ClaimForm claimForm() {
		return ClaimForm.UPDATE_FROM_LOCKED;
	}

	@Override
	public String timeParam() {
		return "CAST(? AS timestamptz)";
	}

	@Override
	public String jsonParam() {
		return "CAST(? AS jsonb)";
	}

	@Override
	public String onConflictDoNothing(String target) {
		return "ON CONFLICT " + target + " DO NOTHING";
	}

	@Override
	public int rowsPerInsert() {
		// one array statement per 10,000 rows: fewer round trips, and bounded arrays for huge batches
		return 10_000;
	}

	@Override
	public boolean arrays() {
		return true;
	}

	@Override
	public boolean notifies() {
		return true;
	}

	@Override
	public String listen(String channel) {
		return "LISTEN \"" + channel + "\"";
	}

	@Override
	public boolean needsVacuum() {
		return true;
	}

}
