package io.sqlqueue.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;

import io.sqlqueue.RecurringStatus;

/** The rows of recurring schedules: one per schedule, its next tick moved forward by compare-and-set. */
final class Schedules {

	private final StoreSql sql;

	private final String table;

	Schedules(StoreSql sql) {
		this.sql = sql;
		this.table = sql.tableNamed("recurring");
	}

	Optional<RecurringRow> get(String name) {
		return this.sql.cached.query("SELECT cron, zone, next_run_at, " + this.sql.now() + " AS now_ FROM " + this.table
				+ " WHERE name = ?", (rs, row) -> new RecurringRow(rs.getString(1), rs.getString(2),
						this.sql.vendor.readTime(rs, "next_run_at"), this.sql.vendor.readTime(rs, "now_")), name)
			.stream()
			.findFirst();
	}

	List<RecurringStatus> list() {
		return this.sql.jdbc.query("SELECT name, cron, zone, next_run_at, last_job_id FROM " + this.table + " ORDER BY name",
				(rs, row) -> {
					long lastJob = rs.getLong("last_job_id");
					return new RecurringStatus(rs.getString("name"), rs.getString("cron"), rs.getString("zone"),
							this.sql.vendor.readTime(rs, "next_run_at"), rs.wasNull() ? null : lastJob);
				});
	}

	void insert(String name, String cron, String zone, Instant nextRunAt) {
		String onConflict = this.sql.vendor.onConflictDoNothing("(name)");
		String insert = "INSERT INTO " + this.table + " (name, cron, zone, next_run_at) VALUES (?, ?, ?, "
				+ this.sql.vendor.timeParam() + ")" + ((onConflict != null) ? " " + onConflict : "");
		try {
			this.sql.cached.update(insert, name, cron, zone, this.sql.vendor.toDatabaseTime(nextRunAt));
		}
		catch (DuplicateKeyException ex) {
			// another node stored it
		}
	}

	boolean advance(String name, Instant expected, Instant next, String cron, String zone) {
		String time = this.sql.vendor.timeParam();
		return this.sql.cached.update("UPDATE " + this.table + " SET next_run_at = " + time
				+ ", cron = ?, zone = ? WHERE name = ? AND next_run_at = " + time, this.sql.vendor.toDatabaseTime(next), cron,
				zone, name, this.sql.vendor.toDatabaseTime(expected)) == 1;
	}

	void setLastJob(String name, long jobId) {
		this.sql.cached.update("UPDATE " + this.table + " SET last_job_id = ? WHERE name = ?", jobId, name);
	}

}
