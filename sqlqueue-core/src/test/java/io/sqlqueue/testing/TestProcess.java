package io.sqlqueue.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class's {@code main} run in a JVM of its own, on the test classpath, its output in a temporary file: a
 * second node that the test can kill for real.
 */
public final class TestProcess implements AutoCloseable {

	private final Process process;

	private final Path output;

	private TestProcess(Process process, Path output) {
		this.process = process;
		this.output = output;
	}

	/** Starts {@code mainClass} with {@code args}; {@code name} names its output file. */
	public static TestProcess start(Class<?> mainClass, String name, String... args) throws IOException {
		Path output = Files.createTempFile("sqlqueue-" + name, ".log");
		String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), mainClass.getName()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.redirectErrorStream(true);
		builder.redirectOutput(output.toFile());
		return new TestProcess(builder.start(), output);
	}

	/** What it printed so far. */
	public String output() {
		try {
			return Files.readString(this.output);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Waits up to {@code timeout} for it to end. @return whether it ended */
	public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
		return this.process.waitFor(timeout, unit);
	}

	/** Its exit code; it must have ended. */
	public int exitValue() {
		return this.process.exitValue();
	}

	/** Kills it (SIGKILL on Linux: no shutdown hook runs, nothing is cleaned up) and waits until it is gone. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly().waitFor();
	}

	/** Kills it if it still runs, and deletes its output. */
	@Override
	public void close() throws IOException {
		this.process.destroyForcibly();
		Files.deleteIfExists(this.output);
	}

}
