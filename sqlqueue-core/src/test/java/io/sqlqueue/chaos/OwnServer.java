package io.sqlqueue.chaos;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.opentest4j.TestAbortedException;

import io.sqlqueue.testing.TestDatabases;

/**
 * A database server of the test's own, in a temporary directory on a free loopback port, that the test can crash
 * and start again: PostgreSQL with the installed server's {@code initdb} and {@code pg_ctl} (as the
 * {@code postgres} system user, since {@code initdb} refuses root), MariaDB with {@code mariadb-install-db} and
 * {@code mariadbd}. Where the binaries are missing it fails under CI, and is skipped elsewhere.
 */
abstract class OwnServer implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

	final Path dir;

	final int port;

	OwnServer(String name) throws IOException {
		this.dir = Files.createTempDirectory("sqlqueue-" + name + "-");
		this.port = freePort();
	}

	static OwnServer postgresql() throws Exception {
		return new Postgres();
	}

	static OwnServer mariadb() throws Exception {
		return new MariaDb();
	}

	/** The JDBC URL of the database {@code sqlqueue} on it. */
	abstract String url();

	/** Starts the server and waits until it accepts connections. */
	abstract void start() throws Exception;

	/** Crashes it: no checkpoint, no goodbye to the clients; the next start recovers from the log. */
	abstract void crash() throws Exception;

	/** Waits until {@code url} accepts a connection. */
	void awaitReady(String url) throws Exception {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		SQLException last = null;
		while (System.nanoTime() < deadline) {
			try (Connection connection = DriverManager.getConnection(url)) {
				return;
			}
			catch (SQLException ex) {
				last = ex;
				Thread.sleep(50);
			}
		}
		throw new IllegalStateException("The server in " + this.dir + " accepted no connection within " + START_TIMEOUT,
				last);
	}

	void deleteDir() throws IOException {
		try (Stream<Path> files = Files.walk(this.dir)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
	}

	static void run(Duration timeout, String... command) throws Exception {
		Path log = Files.createTempFile("sqlqueue-server-command", ".log");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " did not end within " + timeout);
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
						+ Files.readString(log));
			}
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	static String require(String binary) {
		if (new File(binary).canExecute()) {
			return binary;
		}
		String message = binary + " is not installed: the server crash tests need their own database server";
		if (TestDatabases.inCi()) {
			throw new IllegalStateException(message);
		}
		throw new TestAbortedException(message);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/** PostgreSQL 15 of the Debian packages, run as the {@code postgres} system user. */
	private static final class Postgres extends OwnServer {

		private static final String BIN = "/usr/lib/postgresql/15/bin/";

		Postgres() throws Exception {
			super("pg");
			require(BIN + "initdb");
			run(Duration.ofSeconds(10), "chown", "postgres", this.dir.toString());
			run(Duration.ofSeconds(60), "runuser", "-u", "postgres", "--", BIN + "initdb", "-D", data(), "-A", "trust",
					"-U", "postgres", "--no-sync", "-E", "UTF8");
			start();
			try (Connection connection = DriverManager.getConnection(
					"jdbc:postgresql://127.0.0.1:" + this.port + "/postgres?user=postgres");
					Statement statement = connection.createStatement()) {
				statement.execute("CREATE DATABASE sqlqueue");
			}
		}

		private String data() {
			return this.dir.resolve("data").toString();
		}

		@Override
		String url() {
			return "jdbc:postgresql://127.0.0.1:" + this.port + "/sqlqueue?user=postgres";
		}

		@Override
		void start() throws Exception {
			// fsync off: the machine does not crash, only the server does, so what it wrote is in the OS's cache
			run(Duration.ofSeconds(60), "runuser", "-u", "postgres", "--", BIN + "pg_ctl", "-D", data(), "-o",
					"-p " + this.port + " -k " + this.dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "-t", "60",
					"-l", this.dir.resolve("server.log").toString(), "start");
			awaitReady("jdbc:postgresql://127.0.0.1:" + this.port + "/postgres?user=postgres");
		}

		@Override
		void crash() throws Exception {
			run(Duration.ofSeconds(30), "runuser", "-u", "postgres", "--", BIN + "pg_ctl", "-D", data(), "-m",
					"immediate", "-w", "stop");
		}

		@Override
		public void close() throws Exception {
			try {
				crash();
			}
			catch (Exception ex) {
				// stopped already
			}
			deleteDir();
		}

	}

	/** MariaDB of the Debian packages, run as root with {@code --user=root}, root's password empty. */
	private static final class MariaDb extends OwnServer {

		private Process server;

		MariaDb() throws Exception {
			super("mariadb");
			require("/usr/sbin/mariadbd");
			run(Duration.ofSeconds(120), require("/usr/bin/mariadb-install-db"), "--no-defaults",
					"--datadir=" + data(), "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db");
			start();
			try (Connection connection = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + this.port + "/?user=root");
					Statement statement = connection.createStatement()) {
				statement.execute("CREATE DATABASE sqlqueue");
			}
		}

		private String data() {
			return this.dir.resolve("data").toString();
		}

		@Override
		String url() {
			return "jdbc:mariadb://127.0.0.1:" + this.port + "/sqlqueue?user=root";
		}

		@Override
		void start() throws Exception {
			List<String> command = new ArrayList<>(List.of("/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data(),
					"--port=" + this.port, "--socket=" + this.dir.resolve("mysqld.sock"), "--bind-address=127.0.0.1",
					"--user=root", "--pid-file=" + this.dir.resolve("mysqld.pid"), "--innodb-buffer-pool-size=64M",
					"--log-error=" + this.dir.resolve("error.log")));
			this.server = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.dir.resolve("stdout.log").toFile())
				.start();
			awaitReady("jdbc:mariadb://127.0.0.1:" + this.port + "/?user=root");
		}

		@Override
		void crash() throws Exception {
			// SIGKILL
			this.server.destroyForcibly().waitFor();
		}

		@Override
		public void close() throws Exception {
			if (this.server != null) {
				crash();
			}
			deleteDir();
		}

	}

}
