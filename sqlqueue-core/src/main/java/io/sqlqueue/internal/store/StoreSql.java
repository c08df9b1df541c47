package io.sqlqueue.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.sqlqueue.Job;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;

/**
 * What every part of the {@link JdbcJobStore} shares: the connection, the vendor, the table names, the
 * state codes as SQL literals and the mapping of a job row.
 */
final class StoreSql {

	/** The columns every job query returns, in {@link #jobRowMapper()} order. */
	static final String COLUMNS = "id, queue, type, payload, metadata, state, priority, run_at, attempt, "
			+ "max_attempts, locked_until, locked_by, unique_key, last_error, created_at, finished_at, parent_id, "
			+ "ordering_key, result, logs, concurrency_key, batch_id, step, callback_for";

	/** The state codes as they are written into statements. */
	static final int READY = JobState.READY.code();

	static final int RUNNING = JobState.RUNNING.code();

	static final int SUCCEEDED = JobState.SUCCEEDED.code();

	static final int DEAD = JobState.DEAD.code();

	static final int CANCELLED = JobState.CANCELLED.code();

	static final int WAITING = JobState.WAITING.code();

	/** The states a unique key is held in: READY, RUNNING and WAITING. */
	static final String ACTIVE = "(" + READY + ", " + RUNNING + ", " + WAITING + ")";

	/** Ids per {@code IN} list of {@link #chunks}. */
	static final int CHUNK = 500;

	/** The finished states. */
	static final String FINISHED = "(" + SUCCEEDED + ", " + DEAD + ", " + CANCELLED + ")";

	final DataSource dataSource;

	/**
	 * Statements on the job table whose best plan depends on its size, its statistics or their parameters'
	 * values (rescue, retention, counts, FIFO heads, children, administration): planned at each execution where
	 * the database would otherwise reuse a plan made for another size of the table.
	 */
	final JdbcTemplate jdbc;

	/**
	 * Statements whose plan is the same at any size: inserts, the small tables' rows, and the job table's
	 * statements shaped so that every plan of theirs is the same index walk (the claim, outcomes, leases).
	 */
	final JdbcTemplate cached;

	final Vendor vendor;

	final String prefix;

	/** The job table. */
	final String table;

	private final TransactionTemplate transaction;

	/** A transaction of its own, for work that must follow the commit of the caller's. */
	private final TransactionTemplate newTransaction;

	private final RowMapper<Job> rowMapper;

	StoreSql(DataSource dataSource, Vendor vendor, String prefix) {
		this.dataSource = dataSource;
		this.vendor = vendor;
		this.prefix = JobQueue.validateTablePrefix(prefix);
		this.table = prefix + "job";
		this.cached = new JdbcTemplate(dataSource);
		this.jdbc = new JdbcTemplate(dataSource) {
			@Override
			protected void applyStatementSettings(Statement statement) throws SQLException {
				super.applyStatementSettings(statement);
				vendor.planAtEachExecution(statement);
			}
		};
		DataSourceTransactionManager transactions = new DataSourceTransactionManager(dataSource);
		this.transaction = new TransactionTemplate(transactions);
		// joins a transaction the caller (the completer writing follow-up jobs) already runs
		this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
		this.transaction.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
		this.newTransaction = new TransactionTemplate(transactions);
		this.newTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.newTransaction.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
		this.rowMapper = (rs, row) -> new Job(rs.getLong("id"), rs.getString("queue"), rs.getString("type"),
				rs.getString("payload"), JsonText.readMap(rs.getString("metadata")),
				JobState.ofCode(rs.getInt("state")), rs.getInt("priority"), vendor.readTime(rs, "run_at"),
				rs.getInt("attempt"), rs.getInt("max_attempts"), vendor.readTime(rs, "locked_until"),
				rs.getString("locked_by"), rs.getString("unique_key"), rs.getString("last_error"),
				vendor.readTime(rs, "created_at"), vendor.readTime(rs, "finished_at"), nullableLong(rs, "parent_id"),
				rs.getString("ordering_key"), rs.getString("result"), JsonText.readList(rs.getString("logs")),
				rs.getString("concurrency_key"), nullableLong(rs, "batch_id"), rs.getString("step"),
				nullableLong(rs, "callback_for"));
	}

	/** The table {@code name} with the configured prefix. */
	String tableNamed(String name) {
		return this.prefix + name;
	}

	/** Maps {@link #COLUMNS} to a {@link Job}. */
	RowMapper<Job> jobRowMapper() {
		return this.rowMapper;
	}

	<T> T inTransaction(Supplier<T> work) {
		return this.transaction.execute((status) -> work.get());
	}

	/**
	 * Runs {@code work} once what the caller has written on this store's {@code DataSource} is committed: at
	 * once when the caller runs no transaction on it (its statements committed as they ran), or else after that
	 * transaction commits (an application's {@code @Transactional} method the queue joined), in a transaction
	 * of its own on another connection; not at all when it rolls back.
	 */
	void afterCommit(Runnable work) {
		if (TransactionSynchronizationManager.isSynchronizationActive()
				&& TransactionSynchronizationManager.hasResource(this.dataSource)) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					// the committed transaction's connection is still bound here: a new transaction gets another
					StoreSql.this.newTransaction.executeWithoutResult((status) -> work.run());
				}
			});
		}
		else {
			work.run();
		}
	}

	String now() {
		return this.vendor.now();
	}

	String nowPlusParam() {
		return this.vendor.nowPlusParam();
	}

	/** Runs {@code sql} with {@code params} bound in order, planned at each execution, and maps the rows. */
	<T> List<T> query(String sql, RowMapper<T> rows, Param... params) {
		return query(this.jdbc, sql, rows, params);
	}

	/**
	 * Runs {@code sql} as {@link #query} does, with its plan cached: for inserts, and for statements shaped so
	 * that any plan of theirs, generic or custom, at any size of the table, reaches the job rows through the
	 * primary key.
	 */
	<T> List<T> queryCached(String sql, RowMapper<T> rows, Param... params) {
		return query(this.cached, sql, rows, params);
	}

	private static <T> List<T> query(JdbcTemplate jdbc, String sql, RowMapper<T> rows, Param... params) {
		return jdbc.query((Connection con) -> {
			PreparedStatement ps = con.prepareStatement(sql);
			for (int i = 0; i < params.length; i++) {
				params[i].bind(ps, i + 1);
			}
			return ps;
		}, rows);
	}

	/** A statement parameter that binds itself. */
	@FunctionalInterface
	interface Param {

		void bind(PreparedStatement ps, int index) throws SQLException;

		/** A parameter bound with {@code setObject}. */
		static Param of(Object value) {
			return (ps, index) -> ps.setObject(index, value);
		}

	}

	/**
	 * An array parameter of one SQL type, bound as one null when every element is null (so that
	 * {@code unnest} pads the column instead of shipping a column of nulls).
	 */
	record SqlArray(String type, Object[] values) implements Param {

		@Override
		public void bind(PreparedStatement ps, int index) throws SQLException {
			for (Object value : this.values) {
				if (value != null) {
					ps.setArray(index, ps.getConnection().createArrayOf(this.type, this.values));
					return;
				}
			}
			ps.setNull(index, Types.ARRAY);
		}

	}

	/** A text array parameter for a statement run with plain arguments. */
	static SqlTypeValue textArray(List<String> values) {
		return new AbstractSqlTypeValue() {
			@Override
			protected Object createTypeValue(Connection con, int sqlType, String typeName) throws SQLException {
				return con.createArrayOf("text", values.toArray());
			}
		};
	}

	static Long nullableLong(ResultSet rs, String column) throws SQLException {
		long value = rs.getLong(column);
		return rs.wasNull() ? null : value;
	}

	static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
		if (value == null) {
			ps.setNull(index, Types.BIGINT);
		}
		else {
			ps.setLong(index, value);
		}
	}

	static String placeholders(int count) {
		return String.join(", ", Collections.nCopies(count, "?"));
	}

	/** {@code ids} in consecutive pieces of at most {@value #CHUNK}, one {@code IN} list each. */
	static List<List<Long>> chunks(List<Long> ids) {
		List<List<Long>> chunks = new ArrayList<>();
		for (int from = 0; from < ids.size(); from += CHUNK) {
			chunks.add(ids.subList(from, Math.min(ids.size(), from + CHUNK)));
		}
		return chunks;
	}

	/**
	 * A statement's text built on first use and the same String after that: the driver looks its prepared
	 * statement up by the text, and a String hashes itself once.
	 */
	static Supplier<String> builtOnce(Supplier<String> build) {
		return new Supplier<>() {

			private volatile String sql;

			@Override
			public String get() {
				String text = this.sql;
				if (text == null) {
					text = build.get();
					this.sql = text;
				}
				return text;
			}

		};
	}

}
