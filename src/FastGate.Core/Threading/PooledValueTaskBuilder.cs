using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace FastGate.Threading;

/// <summary>
/// An async method builder for <see cref="ValueTask{TResult}"/> that reuses the boxes of suspended state machines
/// from a shared pool of up to <see cref="PoolSize"/> boxes per method.
/// </summary>
/// <remarks>
/// The runtime's <see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/> keeps one box per thread and one per core.
/// A proxy holds one suspended call per open connection (64 connections: 64 boxes of each method), so that cache
/// misses almost always and every request allocated about 1.4 KB. A method that completes without suspending
/// needs no box at all, as with the runtime's builders.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public struct PooledValueTaskBuilder<TResult>
{
    public const int PoolSize = 4096;

    private Box? _box;
    private TResult _result;

    public static PooledValueTaskBuilder<TResult> Create() => default;

    public readonly ValueTask<TResult> Task => _box is { } box ? new ValueTask<TResult>(box, box.Version) : new ValueTask<TResult>(_result);

    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
        => AsyncValueTaskMethodBuilder<TResult>.Create().Start(ref stateMachine); // saves and restores the contexts

    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) { }

    public void SetResult(TResult result)
    {
        if (_box is null) _result = result;
        else _box.SetResult(result);
    }

    public void SetException(Exception exception)
    {
        _box ??= Box<Finished>.Rent();
        _box.SetException(exception);
    }

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine
        => awaiter.OnCompleted(BoxFor(ref stateMachine).MoveNextAction);

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine
        => awaiter.UnsafeOnCompleted(BoxFor(ref stateMachine).MoveNextAction);

    /// <summary>On the first suspension the state machine moves from the stack into a pooled box, where it stays.</summary>
    private Box BoxFor<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        if (_box is { } existing) return existing;
        var box = Box<TStateMachine>.Rent();
        _box = box; // set before the copy, so the boxed builder knows its box too
        box.StateMachine = stateMachine;
        box.Context = ExecutionContext.Capture();
        return box;
    }

    /// <summary>The completion source callers await; typed by state machine so the pool is per method.</summary>
    private abstract class Box : IValueTaskSource<TResult>
    {
        protected ManualResetValueTaskSourceCore<TResult> Core;
        public ExecutionContext? Context;

        public short Version => Core.Version;
        public abstract Action MoveNextAction { get; }

        public void SetResult(TResult result) => Core.SetResult(result);
        public void SetException(Exception exception) => Core.SetException(exception);

        public ValueTaskSourceStatus GetStatus(short token) => Core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => Core.OnCompleted(continuation, state, token, flags);

        public TResult GetResult(short token)
        {
            // A wrong token or an unfinished operation throws here, before the box could be recycled while in use.
            if (Core.GetStatus(token) == ValueTaskSourceStatus.Pending) throw new InvalidOperationException("The operation has not completed.");
            try
            {
                return Core.GetResult(token);
            }
            finally
            {
                Recycle();
            }
        }

        protected abstract void Recycle();
    }

    private sealed class Box<TStateMachine> : Box where TStateMachine : IAsyncStateMachine
    {
        private static readonly ConcurrentQueue<Box<TStateMachine>> Pool = new();
        /// <summary>
        /// One box per thread in front of the shared queue: a box freed by one resumption is most often taken by the
        /// next suspension of the same method on the same event-loop thread, with no atomic operation either way.
        /// </summary>
        [ThreadStatic] private static Box<TStateMachine>? t_spare;
        private static readonly ContextCallback RunInContext = static s => ((Box<TStateMachine>)s!).StateMachine!.MoveNext();
        private static int _pooled;

        public TStateMachine? StateMachine;
        private readonly Action _moveNext;

        private Box() => _moveNext = MoveNext;

        public override Action MoveNextAction => _moveNext;

        public static Box<TStateMachine> Rent()
        {
            if (t_spare is { } spare)
            {
                t_spare = null;
                return spare;
            }
            if (Pool.TryDequeue(out var box))
            {
                Interlocked.Decrement(ref _pooled);
                return box;
            }
            return new Box<TStateMachine>();
        }

        private void MoveNext()
        {
            if (Context is null) StateMachine!.MoveNext();
            else ExecutionContext.Run(Context, RunInContext, this);
        }

        /// <remarks>
        /// Runs when the caller takes the result, after the state machine's last step set it: the state machine
        /// touches none of its fields after SetResult, so it may be cleared even while its frame unwinds.
        /// </remarks>
        protected override void Recycle()
        {
            StateMachine = default;
            Context = null;
            Core.Reset();
            if (t_spare is null)
            {
                t_spare = this;
                return;
            }
            if (Interlocked.Increment(ref _pooled) <= PoolSize) Pool.Enqueue(this);
            else Interlocked.Decrement(ref _pooled);
        }
    }

    /// <summary>Stands in for a state machine when a method fails before its first suspension.</summary>
    private struct Finished : IAsyncStateMachine
    {
        public readonly void MoveNext() { }
        public readonly void SetStateMachine(IAsyncStateMachine stateMachine) { }
    }
}
