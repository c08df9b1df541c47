package io.sqlqueue.internal.notify;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The notification listener on PostgreSQL: it reads notifications off PgJDBC's protocol stream,
 * falls back to {@code getNotifications}, hands its connection back to the pool as the pool lent
 * it, and reconnects when the server ends its session.
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = "POSTGRESQL")
class PgNotificationListenerTests {

	private static final String CHANNEL = "sqlqueue_listener_test";

	private static final String LISTEN = "LISTEN \"" + CHANNEL + "\"";

	@Parameter
	TestDatabase db;

	/** One connection, so that what the listener hands back is what the next borrower gets. */
	HikariDataSource pool;

	PgNotificationListener listener;

	final BlockingQueue<String> woken = new LinkedBlockingQueue<>();

	/** How many times the listener has said its session LISTENs. */
	final AtomicInteger listening = new AtomicInteger();

	@BeforeEach
	void setUp() {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(TestDatabases.jdbcUrl(this.db));
		config.setMaximumPoolSize(1);
		config.setPoolName("listener-test");
		this.pool = new HikariDataSource(config);
	}

	@AfterEach
	void tearDown() {
		if (this.listener != null) {
			this.listener.stop();
		}
		this.pool.close();
	}

	@Test
	void readsNotificationsOffTheProtocolStreamAndWakesEachQueue() throws Exception {
		start(true);
		await().atMost(Duration.ofSeconds(10)).until(this.listener::readingStream);

		notify("mail", "reports");
		assertThat(next()).isEqualTo("mail");
		assertThat(next()).isEqualTo("reports");

		notify("mail");
		assertThat(next()).isEqualTo("mail");
		assertThat(this.listener.readingStream()).isTrue();
	}

	@Test
	void fallsBackToGetNotifications() throws Exception {
		start(false);
		awaitListening();

		notify("mail", "reports");
		assertThat(next()).isEqualTo("mail");
		assertThat(next()).isEqualTo("reports");
		assertThat(this.listener.readingStream()).isFalse();
	}

	@Test
	void usesGetNotificationsWhenAPoolProxyKeepsTheNetworkTimeoutFromTheDriver() throws Exception {
		DataSource swallowing = new DelegatingDataSource(this.pool) {
			@Override
			public Connection getConnection() throws SQLException {
				Connection connection = super.getConnection();
				return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
						new Class<?>[] { Connection.class }, (proxy, method, args) -> {
							if (method.getName().equals("setNetworkTimeout")) {
								return null;
							}
							try {
								return method.invoke(connection, args);
							}
							catch (InvocationTargetException ex) {
								throw ex.getCause();
							}
						});
			}
		};
		this.listener = new PgNotificationListener(swallowing, CHANNEL, LISTEN, this.woken::add, this.listening::incrementAndGet,
				true);
		this.listener.start();
		awaitListening();

		notify("mail");
		assertThat(next()).isEqualTo("mail");
		assertThat(this.listener.readingStream()).isFalse();
	}

	@Test
	void givesItsConnectionBackWithThePoolsNetworkTimeout() throws Exception {
		start(true);
		await().atMost(Duration.ofSeconds(10)).until(this.listener::readingStream);
		notify("mail");
		assertThat(next()).isEqualTo("mail");

		this.listener.stop();
		this.listener = null;

		try (Connection connection = this.pool.getConnection(); Statement statement = connection.createStatement()) {
			assertThat(connection.getNetworkTimeout()).isZero();
			// longer than the listener's 500 ms wait: no read timeout may be left on the connection
			statement.execute("SELECT pg_sleep(0.8)");
		}
	}

	@Test
	void listensAgainAfterTheServerEndsItsSession() throws Exception {
		start(true);
		int first = awaitListening();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.listening.get() == 1);

		try (Connection admin = DriverManager.getConnection(TestDatabases.jdbcUrl(this.db));
				PreparedStatement terminate = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
			terminate.setInt(1, first);
			terminate.executeQuery().close();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> listeningBackend() != null && listeningBackend() != first);
		await().atMost(Duration.ofSeconds(10)).until(this.listener::readingStream);
		assertThat(this.listening).as("it says it listens again, so that its worker looks for what it missed")
			.hasValue(2);

		notify("mail");
		assertThat(next()).isEqualTo("mail");
	}

	private void start(boolean readStream) {
		this.listener = new PgNotificationListener(this.pool, CHANNEL, LISTEN, this.woken::add, this.listening::incrementAndGet,
				readStream);
		this.listener.start();
	}

	/** Waits until the listener's session LISTENs, and returns its backend's process id. */
	private int awaitListening() throws SQLException {
		await().atMost(Duration.ofSeconds(10)).until(() -> listeningBackend() != null);
		return listeningBackend();
	}

	private Integer listeningBackend() throws SQLException {
		try (Connection admin = DriverManager.getConnection(TestDatabases.jdbcUrl(this.db));
				PreparedStatement query = admin.prepareStatement(
						"SELECT pid FROM pg_stat_activity WHERE query = ? AND state = 'idle' ORDER BY backend_start DESC")) {
			query.setString(1, "LISTEN \"" + CHANNEL + "\"");
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? rs.getInt(1) : null;
			}
		}
	}

	/** Sends one notification per queue, in one transaction, so that they arrive together. */
	private void notify(String... queues) throws SQLException {
		try (Connection sender = DriverManager.getConnection(TestDatabases.jdbcUrl(this.db));
				PreparedStatement notify = sender.prepareStatement("SELECT pg_notify(?, ?)")) {
			sender.setAutoCommit(false);
			for (String queue : queues) {
				notify.setString(1, CHANNEL);
				notify.setString(2, queue);
				notify.executeQuery().close();
			}
			sender.commit();
		}
	}

	private String next() throws InterruptedException {
		String queue = this.woken.poll(10, TimeUnit.SECONDS);
		assertThat(queue).as("a queue woken within 10 s").isNotNull();
		return queue;
	}

}
