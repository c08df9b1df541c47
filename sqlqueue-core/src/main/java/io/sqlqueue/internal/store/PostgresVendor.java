package io.sqlqueue.internal.store;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.postgresql.PGStatement;

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
	public String metadataHas() {
		return "metadata @> CAST(? AS jsonb)";
	}

	@Override
	public Object metadataHasParam(String key, String value) {
		return JsonText.writeMap(Map.of(key, value));
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

	/**
	 * {@inheritDoc} PgJDBC names a prepared statement on its fifth execution on a connection, and the server
	 * then keeps the generic plan it built at its first named execution for as long as the connection lives:
	 * made while the job table was empty and never analysed, the batched success statement joined every
	 * RUNNING row to every id (seconds per batch with 50,000 RUNNING jobs). An unnamed statement is planned at
	 * every execution at the table's size then, custom under {@code plan_cache_mode = auto} and a fresh generic
	 * plan under {@code force_generic_plan}, for the planning time (0.1 to 0.5 ms) a custom plan costs anyway.
	 */
	@Override
	public void planAtEachExecution(Statement statement) throws SQLException {
		if (statement.isWrapperFor(PGStatement.class)) {
			statement.unwrap(PGStatement.class).setPrepareThreshold(0);
		}
	}

	@Override
	public boolean needsVacuum() {
		return true;
	}

}
