package io.sqlqueue.internal.store;

import static io.sqlqueue.internal.store.StoreSql.DEAD;
import static io.sqlqueue.internal.store.StoreSql.READY;
import static io.sqlqueue.internal.store.StoreSql.RUNNING;

import java.time.Duration;
import java.util.List;

import org.springframework.dao.DuplicateKeyException;

/**
 * The node table: each running worker node's heartbeat, and the rescue of the jobs of nodes that stopped
 * heartbeating.
 */
final class Nodes {

	private final StoreSql sql;

	private final String table;

	Nodes(StoreSql sql) {
		this.sql = sql;
		this.table = sql.tableNamed("node");
	}

	void heartbeat(String id, String info, Duration expiresIn) {
		int updated = this.sql.cached.update("UPDATE " + this.table + " SET last_seen_at = " + this.sql.now()
				+ ", expires_at = " + this.sql.nowPlusParam() + ", info = ? WHERE id = ?", expiresIn.toMillis(), info, id);
		if (updated == 1) {
			return;
		}
		String onConflict = this.sql.vendor.onConflictDoNothing("(id)");
		try {
			this.sql.cached.update("INSERT INTO " + this.table + " (id, started_at, last_seen_at, expires_at, info) VALUES (?, "
					+ this.sql.now() + ", " + this.sql.now() + ", " + this.sql.nowPlusParam() + ", ?)"
					+ ((onConflict != null) ? " " + onConflict : ""), id, expiresIn.toMillis(), info);
		}
		catch (DuplicateKeyException ex) {
			// its own previous heartbeat, in a race it cannot have with itself but for a retried statement
		}
	}

	void delete(String id) {
		this.sql.cached.update("DELETE FROM " + this.table + " WHERE id = ?", id);
	}

	List<NodeRow> list() {
		Vendor vendor = this.sql.vendor;
		return this.sql.cached.query("SELECT id, started_at, last_seen_at, expires_at, info, " + this.sql.now()
				+ " AS now_ FROM " + this.table + " ORDER BY started_at, id", (rs, row) -> new NodeRow(rs.getString("id"),
						vendor.readTime(rs, "started_at"), vendor.readTime(rs, "last_seen_at"), vendor.readTime(rs, "expires_at"),
						rs.getString("info"), vendor.readTime(rs, "now_")));
	}

	/**
	 * RUNNING jobs held by nodes whose heartbeat lapsed: back to READY, or DEAD on their last attempt, without
	 * waiting out their leases. Fenced as every rescue is: a node that was only paused finds its runs gone and
	 * cannot record their outcome.
	 */
	int rescueJobsOfLapsedNodes() {
		String held = " WHERE state = " + RUNNING + " AND locked_by IN (SELECT id FROM " + this.table
				+ " WHERE expires_at < " + this.sql.now() + ")";
		String reason = "Its worker node stopped heartbeating (crashed, killed or lost the database)";
		int dead = this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + DEAD + ", finished_at = "
				+ this.sql.now() + ", locked_until = NULL, locked_by = NULL, last_error = ?" + held
				+ " AND max_attempts <> -1 AND attempt >= max_attempts", reason + " on the job's last attempt");
		int ready = this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + READY + ", run_at = "
				+ this.sql.now() + ", locked_until = NULL, locked_by = NULL, last_error = ?" + held, reason);
		return dead + ready;
	}

	/** Deletes the rows of nodes dead for longer than {@code olderThan}. */
	int deleteLapsed(Duration olderThan) {
		return this.sql.jdbc.update("DELETE FROM " + this.table + " WHERE expires_at < " + this.sql.nowPlusParam(),
				-olderThan.toMillis());
	}

}
