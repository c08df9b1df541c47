package io.sqlqueue.benchmarks;

import java.io.PrintStream;
import java.util.Locale;

/** Where the figures go: one line each, numbers with thousands separators. */
final class Report {

	private final PrintStream out;

	Report(PrintStream out) {
		this.out = out;
	}

	void line(String format, Object... args) {
		this.out.println(String.format(Locale.ROOT, format, args));
		this.out.flush();
	}

	void heading(String title) {
		this.out.println();
		line("== %s", title);
	}

	static String number(double value) {
		return String.format(Locale.ROOT, "%,.0f", value);
	}

	static String ratio(double value, double reference) {
		return (reference > 0) ? String.format(Locale.ROOT, "%.2f×", value / reference) : "n/a";
	}

}
