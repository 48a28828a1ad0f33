package io.pgnode.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An open {@code GET /logs} response read line by line on a background thread; tests await its
 * {@link #lines()} and {@link #isFinished()} with awaitility.
 */
public final class TestingLogStream implements AutoCloseable {

    private final HttpResponse<InputStream> response;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean finished;

    private TestingLogStream(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "testing-log-stream");
        reader.setDaemon(true);
        reader.start();
    }

    static TestingLogStream open(HttpClient http, HttpRequest request) {
        try {
            return new TestingLogStream(http.send(request, HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String contentType() {
        return response.headers().firstValue("content-type").orElse("");
    }

    /** The raw lines received so far, exactly as sent (SSE framing included, blank lines too). */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Whether the node ended the response. */
    public boolean isFinished() {
        return finished;
    }

    /** Hangs up, as the panel does when it stops reading. */
    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // closed by close() or the node; either way the stream is over
        } finally {
            finished = true;
        }
    }
}
