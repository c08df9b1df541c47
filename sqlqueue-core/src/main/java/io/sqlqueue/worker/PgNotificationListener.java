package io.sqlqueue.worker;

import java.sql.Connection;
import java.sql.Statement;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the queue channel and wakes the named queue's worker on each
 * notification, so that a job enqueued in another process starts within milliseconds. Reconnects
 * on failure; polling covers any gap.
 */
final class PgNotificationListener {

	private static final Logger logger = LoggerFactory.getLogger(PgNotificationListener.class);

	private final DataSource dataSource;

	private final String channel;

	private final Consumer<String> wake;

	private final Thread thread;

	private volatile boolean stopping;

	private volatile Connection connection;

	PgNotificationListener(DataSource dataSource, String channel, Consumer<String> wake) {
		this.dataSource = dataSource;
		this.channel = channel;
		this.wake = wake;
		this.thread = new Thread(this::run, "sqlqueue-listen");
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	private void run() {
		int failures = 0;
		while (!this.stopping) {
			try (Connection con = this.dataSource.getConnection()) {
				this.connection = con;
				con.setAutoCommit(true);
				try (Statement statement = con.createStatement()) {
					statement.execute("LISTEN \"" + this.channel + "\"");
				}
				PGConnection pg = con.unwrap(PGConnection.class);
				failures = 0;
				while (!this.stopping) {
					PGNotification[] notifications = pg.getNotifications(500);
					if (notifications != null) {
						for (PGNotification notification : notifications) {
							this.wake.accept(notification.getParameter());
						}
					}
				}
			}
			catch (Exception ex) {
				if (this.stopping) {
					return;
				}
				failures++;
				if (failures == 1 || failures % 30 == 0) {
					logger.warn("sqlqueue lost its notification connection ({}); workers poll until it is back",
							ex.getMessage());
				}
				try {
					Thread.sleep(Math.min(30_000, 500L * failures));
				}
				catch (InterruptedException interrupted) {
					return;
				}
			}
			finally {
				this.connection = null;
			}
		}
	}

	void stop() {
		this.stopping = true;
		try {
			this.thread.join(2000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
