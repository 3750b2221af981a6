package io.github.citusjdbc;

/**
 * A value bound to the calling thread until the scope is closed, restoring what was bound before:
 * the part {@link CitusTenants.Scope} and {@link CitusConsistency.Scope} share.
 *
 * @param <T> the bound value's type
 */
abstract class ThreadBinding<T> implements AutoCloseable {
    private final ThreadLocal<T> binding;
    private final T previous;
    private boolean closed;

    /** Binds {@code value} (null: nothing) to the calling thread, remembering the current binding. */
    ThreadBinding(ThreadLocal<T> binding, T value) {
        this.binding = binding;
        this.previous = binding.get();
        set(value);
    }

    private void set(T value) {
        if (value == null) {
            binding.remove();
        } else {
            binding.set(value);
        }
    }

    /** Restores the binding that was current when this scope was opened; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            set(previous);
        }
    }
}
