package io.sqlqueue.internal.notify;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the queue channel and hands each notification's payload (the
 * queue, and the queue object that sent it) to the worker, so that a job enqueued in another process
 * starts within milliseconds. Reconnects on failure; polling covers any gap.
 *
 * <p>It reads the notifications off PgJDBC's protocol stream itself where it can reach it. PgJDBC's
 * {@code getNotifications}, once it has read a notification, looks for more with a read that
 * times out after 1 ms, and only then returns, so every wake-up through it waits at least that
 * millisecond (about a third of the whole enqueue-to-start time on a local server). This listener
 * waits for the next message with the connection's network timeout, reads a notification the way
 * PgJDBC does, and wakes the worker at once. Any other message (a notice, the error of a server
 * shutting down) is left to {@code getNotifications}. Where the stream cannot be reached (another
 * driver version, a connection that does not unwrap to PgJDBC's), or the network timeout that
 * bounds each wait does not reach the driver, it uses {@code getNotifications} alone.
 */
public final class PgNotificationListener {

	private static final Logger logger = LoggerFactory.getLogger(PgNotificationListener.class);

	/** How long one wait for a notification lasts before the listener checks whether it should stop. */
	private static final int WAIT_MILLIS = 500;

	/** Message type of a notification in PostgreSQL's protocol. */
	private static final int NOTIFICATION_RESPONSE = 'A';

	/** PgJDBC's {@code QueryExecutorBase.pgStream}; null where this PgJDBC has no such field. */
	private static final Field PROTOCOL_STREAM = protocolStreamField();

	/** Neither {@code setNetworkTimeout} nor {@code abort} of PgJDBC needs a thread of its own. */
	private static final Executor DIRECT = Runnable::run;

	private final DataSource dataSource;

	private final String channel;

	/** The statement that subscribes the listener's session to the channel. */
	private final String listen;

	/** Given the payload of each notification on the channel. */
	private final Consumer<String> notified;

	private final boolean readStream;

	private final Runnable listening;

	private final Thread thread;

	private volatile boolean stopping;

	private volatile boolean readingStream;

	/**
	 * @param channel the channel whose notifications it hands on
	 * @param listen the statement that subscribes a session to the channel
	 * @param notified called with each notification's payload
	 * @param listening called each time the listener's session has begun to LISTEN: at start, and
	 * again after it lost its connection. Notifications sent before then never reach it, so whoever
	 * relies on them should look for work once at that moment.
	 * @param readStream whether to read notifications off the protocol stream where it can be
	 * reached ({@code false} uses only {@code getNotifications})
	 */
	public PgNotificationListener(DataSource dataSource, String channel, String listen, Consumer<String> notified,
			Runnable listening, boolean readStream) {
		this.dataSource = dataSource;
		this.channel = channel;
		this.listen = listen;
		this.notified = notified;
		this.listening = listening;
		this.readStream = readStream;
		this.thread = new Thread(this::run, "sqlqueue-listen");
		this.thread.setDaemon(true);
	}

	public void start() {
		this.thread.start();
	}

	private void announceListening() {
		try {
			this.listening.run();
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue could not act on its notification connection listening again: {}", ex.getMessage());
		}
	}

	/** Whether the current connection's notifications are read off its protocol stream. */
	public boolean readingStream() {
		return this.readingStream;
	}

	private void run() {
		int failures = 0;
		while (!this.stopping) {
			try (Connection con = this.dataSource.getConnection()) {
				con.setAutoCommit(true);
				try (Statement statement = con.createStatement()) {
					statement.execute(this.listen);
				}
				announceListening();
				PGConnection pg = con.unwrap(PGConnection.class);
				PGStream stream = this.readStream ? protocolStream(con) : null;
				failures = 0;
				Integer networkTimeout = (stream != null) ? waitTimeout(con) : null;
				if (networkTimeout != null) {
					listenOnStream(con, pg, stream, networkTimeout);
				}
				else {
					while (!this.stopping) {
						deliver(pg.getNotifications(WAIT_MILLIS));
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
				this.readingStream = false;
			}
		}
	}

	/**
	 * Sets the connection's network timeout to one wait, through the Connection, so that a pool knows
	 * to put its own back.
	 * @return the timeout it had, or null when the connection (or a pool's proxy of it) does not let
	 * it be set, and the listener should use {@code getNotifications}: without a timeout on the
	 * socket its thread could not notice that it should stop
	 */
	private static Integer waitTimeout(Connection con) {
		try {
			int networkTimeout = con.getNetworkTimeout();
			con.setNetworkTimeout(DIRECT, WAIT_MILLIS);
			if (con.unwrap(BaseConnection.class).getNetworkTimeout() == WAIT_MILLIS) {
				return networkTimeout;
			}
			con.setNetworkTimeout(DIRECT, networkTimeout);
			logger.debug("sqlqueue reads notifications through getNotifications: the network timeout did not"
					+ " reach the driver's connection");
			return null;
		}
		catch (SQLException | RuntimeException ex) {
			logger.debug("sqlqueue reads notifications through getNotifications: {}", ex.toString());
			return null;
		}
	}

	private void listenOnStream(Connection con, PGConnection pg, PGStream stream, int networkTimeout)
			throws SQLException, IOException {
		this.readingStream = true;
		try {
			while (!this.stopping) {
				int type;
				try {
					type = stream.peekChar();
				}
				catch (SocketTimeoutException idle) {
					continue;
				}
				if (type == NOTIFICATION_RESPONSE) {
					readNotification(stream);
				}
				else {
					deliver(pg.getNotifications());
				}
			}
		}
		catch (IOException ex) {
			// PgJDBC closes a connection whose stream failed, since it may have been left inside a
			// message; so must this reader, before the pool has the connection back
			con.unwrap(BaseConnection.class).abort(DIRECT);
			throw ex;
		}
		con.setNetworkTimeout(DIRECT, networkTimeout);
	}

	/** Reads one NotificationResponse as PgJDBC's {@code receiveAsyncNotify} does, and hands on its payload. */
	private void readNotification(PGStream stream) throws IOException {
		stream.receiveChar();
		stream.receiveInteger4(); // the message's length
		stream.receiveInteger4(); // the notifying backend's process id
		String channel = stream.receiveString();
		String payload = stream.receiveString();
		if (this.channel.equals(channel)) {
			this.notified.accept(payload);
		}
	}

	private void deliver(PGNotification[] notifications) {
		if (notifications != null) {
			for (PGNotification notification : notifications) {
				this.notified.accept(notification.getParameter());
			}
		}
	}

	public void stop() {
		this.stopping = true;
		try {
			this.thread.join(2000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** The protocol stream of a PgJDBC connection, or null when it cannot be reached. */
	private static PGStream protocolStream(Connection con) {
		if (PROTOCOL_STREAM == null) {
			return null;
		}
		try {
			Object executor = con.unwrap(BaseConnection.class).getQueryExecutor();
			return PROTOCOL_STREAM.getDeclaringClass().isInstance(executor) ? (PGStream) PROTOCOL_STREAM.get(executor)
					: null;
		}
		catch (SQLException | ReflectiveOperationException | RuntimeException ex) {
			logger.debug("sqlqueue reads notifications through getNotifications: {}", ex.toString());
			return null;
		}
	}

	private static Field protocolStreamField() {
		try {
			Class<?> executor = Class.forName("org.postgresql.core.QueryExecutorBase", false,
					PGConnection.class.getClassLoader());
			Field field = executor.getDeclaredField("pgStream");
			if (field.getType() != PGStream.class) {
				return null;
			}
			field.setAccessible(true);
			return field;
		}
		catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
			logger.debug("sqlqueue reads notifications through getNotifications: {}", ex.toString());
			return null;
		}
	}

}
