package io.sqlqueue.internal.store;

import static io.sqlqueue.internal.store.StoreSql.DEAD;
import static io.sqlqueue.internal.store.StoreSql.READY;
import static io.sqlqueue.internal.store.StoreSql.SUCCEEDED;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.sqlqueue.DeadLetterGroup;
import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobState;
import io.sqlqueue.OutcomeCounts;

/** Reading jobs: one, a page, counts, the age of the oldest due job. */
final class JobReads {

	private final StoreSql sql;

	JobReads(StoreSql sql) {
		this.sql = sql;
	}

	Optional<Job> get(long id) {
		return this.sql.jdbc.query("SELECT " + StoreSql.COLUMNS + " FROM " + this.sql.table + " WHERE id = ?",
				this.sql.jobRowMapper(), id).stream().findFirst();
	}

	List<Job> list(JobQuery query) {
		StringBuilder select = new StringBuilder("SELECT " + StoreSql.COLUMNS + " FROM " + this.sql.table + " WHERE id > ?");
		List<Object> args = new ArrayList<>();
		args.add(query.afterId());
		if (query.state() != null) {
			// a literal, as in count: a generic plan cannot use a partial index for "state = ?", and a rare state
			// (RUNNING, WAITING, DEAD) is found through its partial index instead of a walk down the primary key
			select.append(" AND state = ").append(query.state().code());
		}
		if (query.queue() != null) {
			select.append(" AND queue = ?");
			args.add(query.queue());
		}
		if (query.type() != null) {
			select.append(" AND type = ?");
			args.add(query.type());
		}
		if (query.beforeId() > 0) {
			select.append(" AND id < ?");
			args.add(query.beforeId());
		}
		if (query.uniqueKey() != null) {
			select.append(" AND unique_key = ?");
			args.add(query.uniqueKey());
		}
		if (query.parentId() != null) {
			select.append(" AND parent_id = ?");
			args.add(query.parentId());
		}
		if (query.metadataKey() != null) {
			select.append(" AND ").append(this.sql.vendor.metadataHas());
			args.add(this.sql.vendor.metadataHasParam(query.metadataKey(), query.metadataValue()));
		}
		select.append(query.descending() ? " ORDER BY id DESC LIMIT ?" : " ORDER BY id LIMIT ?");
		args.add(query.limit());
		return this.sql.jdbc.query(select.toString(), this.sql.jobRowMapper(), args.toArray());
	}

	long count(String queue, JobState state) {
		// the state as a literal, never a parameter: a generic plan cannot use a partial index for "state = ?"
		StringBuilder select = new StringBuilder("SELECT COUNT(*) FROM " + this.sql.table + " WHERE "
				+ ((state != null) ? "state = " + state.code() : "1 = 1"));
		List<Object> args = new ArrayList<>();
		if (queue != null) {
			select.append(" AND queue = ?");
			args.add(queue);
		}
		Long count = this.sql.jdbc.queryForObject(select.toString(), Long.class, args.toArray());
		return (count != null) ? count : 0;
	}

	Map<String, Map<JobState, Long>> countByQueueAndState() {
		Map<String, Map<JobState, Long>> counts = new LinkedHashMap<>();
		this.sql.jdbc.query("SELECT queue, state, COUNT(*) FROM " + this.sql.table + " GROUP BY queue, state ORDER BY queue",
				(rs) -> {
					counts.computeIfAbsent(rs.getString(1), (q) -> new EnumMap<>(JobState.class))
						.put(JobState.ofCode(rs.getInt(2)), rs.getLong(3));
				});
		return counts;
	}

	Map<String, Duration> oldestDueAge() {
		Map<String, Duration> ages = new LinkedHashMap<>();
		this.sql.jdbc.query("SELECT queue, MIN(run_at) AS oldest, MAX(" + this.sql.now() + ") AS now_ FROM "
				+ this.sql.table + " WHERE state = " + READY + " AND run_at <= " + this.sql.now() + " GROUP BY queue",
				(rs) -> {
					Duration age = Duration.between(this.sql.vendor.readTime(rs, "oldest"), this.sql.vendor.readTime(rs, "now_"));
					ages.put(rs.getString(1), age.isNegative() ? Duration.ZERO : age);
				});
		return ages;
	}

	/** Per queue and type, the READY jobs due for longer than {@code longerThan}, and the oldest's wait. */
	List<DueTypeRow> dueByType(Duration longerThan) {
		return this.sql.jdbc.query("SELECT queue, type, COUNT(*) AS jobs, MIN(run_at) AS oldest, MAX(" + this.sql.now()
				+ ") AS now_ FROM " + this.sql.table + " WHERE state = " + READY + " AND run_at <= " + this.sql.nowPlusParam()
				+ " GROUP BY queue, type ORDER BY queue, type", (rs, row) -> {
					Duration waited = Duration.between(this.sql.vendor.readTime(rs, "oldest"), this.sql.vendor.readTime(rs, "now_"));
					return new DueTypeRow(rs.getString("queue"), rs.getString("type"), rs.getLong("jobs"),
							waited.isNegative() ? Duration.ZERO : waited);
				}, -longerThan.toMillis());
	}

	/** Successes and dead jobs finished in [from, to), failed attempts retried in it: three index range counts. */
	OutcomeCounts countOutcomes(Instant from, Instant to) {
		String t = this.sql.table;
		String span = " >= " + this.sql.vendor.timeParam() + " AND %s < " + this.sql.vendor.timeParam() + ")";
		Object start = this.sql.vendor.toDatabaseTime(from);
		Object end = this.sql.vendor.toDatabaseTime(to);
		return this.sql.jdbc.queryForObject("SELECT (SELECT COUNT(*) FROM " + t + " WHERE state = " + SUCCEEDED
				+ " AND finished_at" + span.formatted("finished_at") + ", (SELECT COUNT(*) FROM "
				+ JobAttempts.table(this.sql) + " WHERE state = " + READY + " AND ended_at" + span.formatted("ended_at")
				+ ", (SELECT COUNT(*) FROM " + t + " WHERE state = " + DEAD + " AND finished_at" + span.formatted("finished_at"),
				(rs, row) -> new OutcomeCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3)), start, end, start, end, start,
				end);
	}

	/**
	 * The DEAD jobs grouped by queue, type and the start of their last error, largest groups first: one pass over the
	 * dead rows through the finished index, however many there are.
	 */
	List<DeadLetterGroup> countDeadByError(int limit) {
		String error = this.sql.vendor.textPrefix("last_error", DeadLetterGroup.ERROR_PREFIX);
		return this.sql.jdbc.query("SELECT queue, type, " + error + " AS error, COUNT(*) AS jobs, MAX(id) AS newest FROM "
				+ this.sql.table + " WHERE state = " + DEAD + " GROUP BY queue, type, " + error
				+ " ORDER BY COUNT(*) DESC, MAX(id) DESC LIMIT ?", (rs, row) -> new DeadLetterGroup(rs.getString("queue"),
						rs.getString("type"), rs.getString("error"), rs.getLong("jobs"), rs.getLong("newest")), limit);
	}

	Instant databaseNow() {
		return this.sql.jdbc.query("SELECT " + this.sql.now() + " AS now_", (rs, row) -> this.sql.vendor.readTime(rs, "now_"))
			.get(0);
	}

}
