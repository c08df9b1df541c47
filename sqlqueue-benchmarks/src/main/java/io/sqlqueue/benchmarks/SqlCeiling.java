package io.sqlqueue.benchmarks;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How fast PostgreSQL itself runs a job queue's statements on this machine, with no application in
 * between: the statements of {@code shared/bench/*.sql} run by {@code clients} JDBC connections for a
 * fixed time, prepared and in autocommit, as {@code pgbench -M prepared} runs them.
 */
final class SqlCeiling {

	/** Figures of one ceiling run, per second. */
	record Figures(double insertOneRow, double claimComplete1, double claimComplete100, int clients,
			Duration duration) {
	}

	private final BenchmarkDatabase database;

	private final int clients;

	private final Duration duration;

	SqlCeiling(BenchmarkDatabase database, int clients, Duration duration) {
		this.database = database;
		this.clients = clients;
		this.duration = duration;
	}

	Figures measure(Report report) {
		double insert = insertOneRow(this.duration);
		report.line("ceiling insert-one-row      clients=%d  %s rows/s", this.clients, Report.number(insert));
		// pre-filled well beyond what the clients can claim in the run, so that no client runs dry
		long seconds = Math.max(1, this.duration.toSeconds());
		double claim1 = run("claim-complete-1", "claim_complete_1.sql", 15_000 * seconds, this::claimComplete1,
				this.duration);
		report.line("ceiling claim-complete-1    clients=%d  %s jobs/s", this.clients, Report.number(claim1));
		double claim100 = run("claim-complete-100", "claim_complete_100.sql", 120_000 * seconds,
				this::claimComplete100, this.duration);
		report.line("ceiling claim-complete-100  clients=%d  %s jobs/s", this.clients, Report.number(claim100));
		this.database.execute(List.of("DROP SCHEMA IF EXISTS sqlqueue_ceiling CASCADE"));
		return new Figures(insert, claim1, claim100, this.clients, this.duration);
	}

	/**
	 * The insert-one-row ceiling over {@code duration}, on its own: the enqueue benchmark runs it
	 * between its own rounds, so that each ratio compares figures taken a moment apart.
	 */
	double insertOneRow(Duration duration) {
		double rows = run("insert-one-row", "insert_one_row.sql", 0, this::insertOneRow, duration);
		this.database.execute(List.of("DROP SCHEMA IF EXISTS sqlqueue_ceiling CASCADE"));
		return rows;
	}

	/** One client's loop: does one transaction's work and says how many rows it handled (0 = ran dry). */
	@FunctionalInterface
	private interface ClientStep {

		int step(Connection connection, List<PreparedStatement> statements) throws SQLException;

	}

	private double run(String name, String script, long prefill, ClientStep step, Duration duration) {
		this.database.execute(SqlScript.statements("ceiling/setup_jobs.sql", Map.of("rows", Long.toString(prefill))));
		List<String> statements = SqlScript.statements("ceiling/" + script);
		ExecutorService pool = Executors.newFixedThreadPool(this.clients);
		try {
			List<Future<long[]>> results = new ArrayList<>();
			long deadline = System.nanoTime() + duration.toNanos();
			for (int i = 0; i < this.clients; i++) {
				results.add(pool.submit(client(statements, step, deadline)));
			}
			long rows = 0;
			long lastEnd = 0;
			for (Future<long[]> result : results) {
				long[] outcome = result.get();
				rows += outcome[0];
				lastEnd = Math.max(lastEnd, outcome[1]);
			}
			long elapsed = lastEnd - (deadline - duration.toNanos());
			return rows / (elapsed / 1e9);
		}
		catch (Exception ex) {
			throw new IllegalStateException("The SQL ceiling '" + name + "' failed: " + ex.getMessage(), ex);
		}
		finally {
			pool.shutdownNow();
		}
	}

	private Callable<long[]> client(List<String> sql, ClientStep step, long deadline) {
		return () -> {
			try (Connection connection = this.database.connect()) {
				try (Statement statement = connection.createStatement()) {
					statement.execute("SET search_path TO sqlqueue_ceiling");
				}
				List<PreparedStatement> statements = new ArrayList<>();
				for (String text : sql) {
					statements.add(connection.prepareStatement(text));
				}
				long rows = 0;
				while (System.nanoTime() < deadline) {
					int done = step.step(connection, statements);
					if (done == 0) {
						break;
					}
					rows += done;
				}
				return new long[] { rows, System.nanoTime() };
			}
		};
	}

	private int insertOneRow(Connection connection, List<PreparedStatement> statements) throws SQLException {
		return statements.get(0).executeUpdate();
	}

	private int claimComplete1(Connection connection, List<PreparedStatement> statements) throws SQLException {
		long id;
		try (ResultSet rs = statements.get(0).executeQuery()) {
			if (!rs.next()) {
				return 0;
			}
			id = rs.getLong(1);
		}
		PreparedStatement complete = statements.get(1);
		complete.setLong(1, id);
		complete.executeUpdate();
		return 1;
	}

	private int claimComplete100(Connection connection, List<PreparedStatement> statements) throws SQLException {
		Array ids;
		int count;
		try (ResultSet rs = statements.get(0).executeQuery()) {
			rs.next();
			ids = rs.getArray(1);
			count = rs.getInt(2);
		}
		if (count == 0) {
			return 0;
		}
		PreparedStatement complete = statements.get(1);
		complete.setArray(1, ids);
		complete.executeUpdate();
		return count;
	}

}
