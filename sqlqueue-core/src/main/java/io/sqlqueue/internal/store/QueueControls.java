package io.sqlqueue.internal.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;

import io.sqlqueue.QueueControl;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.RateLimit;

/** The queue table: a row per queue that was paused or given limits. */
final class QueueControls {

	private static final String COLUMNS = "name, paused, global_concurrency, key_concurrency, rate_limit, rate_period_ms,"
			+ " rate_per_key";

	private final StoreSql sql;

	private final String table;

	QueueControls(StoreSql sql) {
		this.sql = sql;
		this.table = sql.tableNamed("queue");
	}

	String table() {
		return this.table;
	}

	Optional<QueueControl> get(String queue) {
		return this.sql.cached.query("SELECT " + COLUMNS + " FROM " + this.table + " WHERE name = ?", this::map, queue)
			.stream()
			.findFirst();
	}

	List<QueueControl> list() {
		return this.sql.cached.query("SELECT " + COLUMNS + " FROM " + this.table + " ORDER BY name", this::map);
	}

	void setPaused(String queue, boolean paused) {
		upsert(queue, "paused = ?", new Object[] { paused });
	}

	void setLimits(String queue, QueueLimits limits) {
		RateLimit rate = limits.rateLimit();
		upsert(queue, "global_concurrency = ?, key_concurrency = ?, rate_limit = ?, rate_period_ms = ?, rate_per_key = ?",
				new Object[] { limits.globalConcurrency(), limits.keyConcurrency(), (rate != null) ? rate.starts() : null,
						(rate != null) ? rate.period().toMillis() : null, rate != null && rate.perKey() });
	}

	/** Sets {@code set} on the queue's row, creating the row (running, without limits) first when there is none. */
	private void upsert(String queue, String set, Object[] values) {
		Object[] args = new Object[values.length + 1];
		System.arraycopy(values, 0, args, 0, values.length);
		args[values.length] = queue;
		String update = "UPDATE " + this.table + " SET " + set + ", updated_at = " + this.sql.now() + " WHERE name = ?";
		if (this.sql.cached.update(update, args) == 1) {
			return;
		}
		String onConflict = this.sql.vendor.onConflictDoNothing("(name)");
		try {
			this.sql.cached.update("INSERT INTO " + this.table + " (name, paused, rate_per_key, updated_at) VALUES (?, "
					+ "FALSE, FALSE, " + this.sql.now() + ")" + ((onConflict != null) ? " " + onConflict : ""), queue);
		}
		catch (DuplicateKeyException ex) {
			// another node created it: set it below all the same
		}
		this.sql.cached.update(update, args);
	}

	/**
	 * Locks the queue's row until the transaction ends, so that the claims under its limits take turns across
	 * the cluster: an update, which every database locks (and SQLite takes its write lock for).
	 * @return whether the queue has a row
	 */
	boolean lock(String queue) {
		return this.sql.jdbc.update("UPDATE " + this.table + " SET paused = paused WHERE name = ?", queue) == 1;
	}

	/** Deletes the starts of rate-limited queues that left their window. */
	int pruneRateStarts() {
		int deleted = 0;
		for (QueueControl control : list()) {
			RateLimit rate = control.limits().rateLimit();
			if (rate != null) {
				deleted += this.sql.jdbc.update("DELETE FROM " + this.sql.tableNamed("rate_start") + " WHERE queue = ?"
						+ " AND started_at < " + this.sql.nowPlusParam(), control.queue(), -rate.period().toMillis());
			}
		}
		// the mutexes of unique keys: a key enqueued again takes a new one
		deleted += this.sql.jdbc.update("DELETE FROM " + this.sql.tableNamed("unique_lock") + " WHERE created_at < "
				+ this.sql.nowPlusParam(), -Duration.ofHours(1).toMillis());
		return deleted;
	}

	private QueueControl map(ResultSet rs, int row) throws SQLException {
		Integer global = nullableInt(rs, "global_concurrency");
		Integer key = nullableInt(rs, "key_concurrency");
		Integer starts = nullableInt(rs, "rate_limit");
		RateLimit rate = (starts != null) ? new RateLimit(starts, Duration.ofMillis(rs.getLong("rate_period_ms")),
				rs.getBoolean("rate_per_key")) : null;
		return new QueueControl(rs.getString("name"), rs.getBoolean("paused"), new QueueLimits(global, key, rate));
	}

	private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
		int value = rs.getInt(column);
		return rs.wasNull() ? null : value;
	}

}
