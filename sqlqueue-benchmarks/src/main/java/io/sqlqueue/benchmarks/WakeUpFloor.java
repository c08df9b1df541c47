package io.sqlqueue.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The latency floor: the least a wake-up across processes costs on this server with no queue code
 * in between. One connection inserts a row with the ceiling's insert-one-row statement and then
 * sends {@code pg_notify}, each in autocommit, as an enqueue does; a second connection LISTENs and,
 * when the notification arrives, claims the row with the claim statement of claim-complete-1. A
 * sample is the time from just before the insert until the claim returns the row, with a random
 * pause before each so that both sides are idle, as in the latency benchmark.
 *
 * <p>It also reports where the floor's time goes, at the median: the insert, the {@code pg_notify}
 * round trip, the wait from {@code pg_notify}'s reply until the listener's
 * {@code getNotifications} returns, and the claim. The wait is mostly PgJDBC's: once
 * {@code getNotifications} has read a notification, it looks for more with a read that times out
 * after 1 ms before it returns, although the server sent the notification before it answered the
 * {@code pg_notify} (seen on the wire with tcpdump on this project's machine).
 */
final class WakeUpFloor {

	private static final String CHANNEL = "sqlqueue_ceiling";

	private final BenchmarkDatabase database;

	WakeUpFloor(BenchmarkDatabase database) {
		this.database = database;
	}

	Percentiles measure(int warmup, int samples, Duration maxPause, Report report) throws Exception {
		this.database.execute(SqlScript.statements("ceiling/setup_jobs.sql", Map.of("rows", "0")));
		String insertSql = SqlScript.statements("ceiling/insert_one_row.sql").get(0);
		String claimSql = SqlScript.statements("ceiling/claim_complete_1.sql").get(0);
		BlockingQueue<long[]> claimed = new LinkedBlockingQueue<>();
		List<Long> latencies = new ArrayList<>();
		List<Long> inserts = new ArrayList<>();
		List<Long> notifies = new ArrayList<>();
		List<Long> deliveries = new ArrayList<>();
		List<Long> claims = new ArrayList<>();
		AtomicBoolean stop = new AtomicBoolean();
		try (Connection sender = connect(); Connection listener = connect()) {
			try (Statement statement = listener.createStatement()) {
				statement.execute("LISTEN " + CHANNEL);
			}
			Thread claimer = new Thread(() -> claimOnEachNotification(listener, claimSql, claimed, stop),
					"latency-floor-claimer");
			claimer.setDaemon(true);
			claimer.start();
			try (PreparedStatement insert = sender.prepareStatement(insertSql);
					PreparedStatement notify = sender.prepareStatement("SELECT pg_notify('" + CHANNEL + "', 'default')")) {
				for (int n = -warmup; n < samples; n++) {
					LatencyEnqueuer.pause(maxPause);
					long sent = System.nanoTime();
					insert.executeUpdate();
					long inserted = System.nanoTime();
					notify.executeQuery().close();
					long notified = System.nanoTime();
					long[] done = claimed.poll(10, TimeUnit.SECONDS);
					if (done == null) {
						throw new IllegalStateException("The latency floor's notification did not arrive within 10 s");
					}
					if (n >= 0) {
						latencies.add(done[1] - sent);
						inserts.add(inserted - sent);
						notifies.add(notified - inserted);
						// the listener's thread may return before the sender's has its reply
						deliveries.add(Math.max(0, done[0] - notified));
						claims.add(done[1] - done[0]);
					}
				}
			}
			finally {
				stop.set(true);
				claimer.join(2000);
			}
		}
		finally {
			this.database.execute(List.of("DROP SCHEMA IF EXISTS sqlqueue_ceiling CASCADE"));
		}
		Percentiles floor = Percentiles.ofNanos(latencies);
		report.line("latency       %-24s %s", "floor: SQL only", floor);
		report.line("              the floor's p50 parts: insert %.2f ms, pg_notify %.2f ms, from pg_notify's reply until"
				+ " getNotifications returns %.2f ms (PgJDBC waits 1 ms for more after a notification), claim %.2f ms",
				Percentiles.ofNanos(inserts).p50(), Percentiles.ofNanos(notifies).p50(),
				Percentiles.ofNanos(deliveries).p50(), Percentiles.ofNanos(claims).p50());
		return floor;
	}

	private Connection connect() throws SQLException {
		Connection connection = this.database.connect();
		try (Statement statement = connection.createStatement()) {
			statement.execute("SET search_path TO sqlqueue_ceiling");
		}
		return connection;
	}

	private static void claimOnEachNotification(Connection listener, String claimSql, BlockingQueue<long[]> claimed,
			AtomicBoolean stop) {
		try (PreparedStatement claim = listener.prepareStatement(claimSql)) {
			PGConnection pg = listener.unwrap(PGConnection.class);
			while (!stop.get()) {
				PGNotification[] notifications = pg.getNotifications(500);
				if (notifications == null || notifications.length == 0) {
					continue;
				}
				long received = System.nanoTime();
				try (ResultSet rs = claim.executeQuery()) {
					if (rs.next()) {
						claimed.add(new long[] { received, System.nanoTime() });
					}
				}
			}
		}
		catch (SQLException ex) {
			// the main thread notices: no sample arrives
			System.err.println("The latency floor's claimer failed: " + ex.getMessage());
		}
	}

}
