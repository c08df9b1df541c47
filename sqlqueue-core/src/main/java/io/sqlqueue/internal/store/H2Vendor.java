package io.sqlqueue.internal.store;

/** H2 2.x, for tests, demos and embedded single-process apps (file or in-memory). */
final class H2Vendor extends Vendor {

	@Override
	public String name() {
		return "h2";
	}

	@Override
	public String now() {
		return "CURRENT_TIMESTAMP(6)";
	}

	@Override
	public String plusMillis(String time, String millis) {
		return "DATEADD(MILLISECOND, CAST(" + millis + " AS BIGINT), " + time + ")";
	}

	@Override
	public String timeParam() {
		return "CAST(? AS TIMESTAMP(6) WITH TIME ZONE)";
	}

	@Override
	public String returningIds(String insert) {
		return "SELECT id FROM FINAL TABLE (" + insert + ")";
	}

}
