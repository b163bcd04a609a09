// The CUDA kernels of src/main/cuda compiled as C++ and run on the CPU, behind the JNI methods of
// org.dnckernels.cuda.EmulatedGpu (src/test/java). Built and used by kernels-cuda/emulate.sh only: a test
// tool for a machine without a GPU, not part of the product.
//
// "Device" memory is malloc'ed host memory (so AddressSanitizer sees every out-of-bounds access). A launch runs
// its blocks one after another; the threads of a block are fibers on the calling thread, resumed round-robin in
// a shuffled order until each reaches its next barrier (__syncthreads or a warp shuffle) or returns. A round in
// which no fiber moves while some are still waiting is a barrier that not every thread reaches: reported.
// Fibers switch with a few instructions of x86-64 assembly (ucontext's swapcontext makes a system call per
// switch, and a link tile alone is tens of millions of switches).
#include <jni.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define DNC_ASAN 1
#else
#define DNC_ASAN 0
#endif

#include "dnc_kernels.cu"

// switches stacks: saves the callee-saved registers on the current stack, stores its pointer in *from, and
// resumes the stack `to` (made by a previous switch, or by newStack)
extern "C" void dnc_switch(void** from, void* to);
asm(R"(
  .text
  .globl dnc_switch
  .type dnc_switch, @function
dnc_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size dnc_switch, .-dnc_switch
)");

namespace dnc_emulation {
dnc_uint3 threadIndex;
dnc_uint3 blockIndex;
dnc_uint3 blockDimension;
dnc_uint3 gridDimension;

namespace {

constexpr size_t STACK_BYTES = 256 * 1024;

struct Fiber {
  void* sp = nullptr;
  std::unique_ptr<char[]> stack{new char[STACK_BYTES]};
  bool done = false;
  void* fakeStack = nullptr;
};

// a barrier among `size` fibers: the last to arrive opens it for the others; warp shuffles exchange through
// slots[generation & 1] (a lane can be at most one shuffle ahead of the slowest, so two buffers suffice)
struct Gate {
  int size = 0;
  int arrived = 0;
  long generation = 0;
  uint64_t slots[2][32] = {};
};

struct Scheduler {
  void* mainSp = nullptr;
  void* mainFakeStack = nullptr;
  const void* mainStackBottom = nullptr;
  size_t mainStackSize = 0;
  std::vector<std::unique_ptr<Fiber>> fibers;
  int current = -1;
  bool moved = false;  // whether any fiber arrived at or left a barrier, or finished, in this round
  Gate block;
  std::vector<Gate> warps;
  std::vector<unsigned char> shared;
  std::function<void()> body;
};

Scheduler scheduler;

void toMain(bool dying) {
  Fiber& f = *scheduler.fibers[scheduler.current];
#if DNC_ASAN
  __sanitizer_start_switch_fiber(dying ? nullptr : &f.fakeStack, scheduler.mainStackBottom, scheduler.mainStackSize);
#endif
  dnc_switch(&f.sp, scheduler.mainSp);
#if DNC_ASAN
  __sanitizer_finish_switch_fiber(f.fakeStack, &scheduler.mainStackBottom, &scheduler.mainStackSize);
#endif
}

void toFiber(int index) {
  Fiber& f = *scheduler.fibers[index];
  scheduler.current = index;
  threadIndex = {static_cast<unsigned>(index), 0, 0};
#if DNC_ASAN
  __sanitizer_start_switch_fiber(&scheduler.mainFakeStack, f.stack.get(), STACK_BYTES);
#endif
  dnc_switch(&scheduler.mainSp, f.sp);
#if DNC_ASAN
  __sanitizer_finish_switch_fiber(scheduler.mainFakeStack, nullptr, nullptr);
#endif
}

[[noreturn]] void fiberMain() {
#if DNC_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &scheduler.mainStackBottom, &scheduler.mainStackSize);
#endif
  scheduler.body();
  scheduler.fibers[scheduler.current]->done = true;
  scheduler.moved = true;
  toMain(true);
  std::abort();  // a finished fiber is never resumed
}

// a fresh stack whose first switch "returns" into fiberMain with the ABI's alignment
void* newStack(char* stack) {
  uintptr_t top = (reinterpret_cast<uintptr_t>(stack) + STACK_BYTES) & ~static_cast<uintptr_t>(15);
  auto* slot = reinterpret_cast<void**>(top - 16);
  slot[1] = nullptr;  // fiberMain's own return address: never used
  slot[0] = reinterpret_cast<void*>(&fiberMain);
  void** sp = slot - 6;  // rbp, rbx, r12..r15 popped by dnc_switch
  for (int i = 0; i < 6; i++) {
    sp[i] = nullptr;
  }
  return sp;
}

void wait(Gate& gate) {
  long generation = gate.generation;
  scheduler.moved = true;
  if (++gate.arrived == gate.size) {
    gate.arrived = 0;
    gate.generation++;
    return;
  }
  while (gate.generation == generation) {
    toMain(false);
  }
  scheduler.moved = true;
}

// runs one block: every fiber from the start of body() to its end
void runBlock(int threads, std::mt19937_64& random) {
  while (static_cast<int>(scheduler.fibers.size()) < threads) {
    scheduler.fibers.push_back(std::make_unique<Fiber>());
  }
  for (int t = 0; t < threads; t++) {
    Fiber& f = *scheduler.fibers[t];
    f.done = false;
    f.sp = newStack(f.stack.get());
  }
  std::vector<int> order(static_cast<size_t>(threads));
  for (int t = 0; t < threads; t++) {
    order[t] = t;
  }
  std::shuffle(order.begin(), order.end(), random);
  int remaining = threads;
  while (remaining > 0) {
    scheduler.moved = false;
    for (int t : order) {
      if (!scheduler.fibers[t]->done) {
        toFiber(t);
        if (scheduler.fibers[t]->done) {
          remaining--;
        }
      }
    }
    if (!scheduler.moved && remaining > 0) {
      throw std::runtime_error("deadlock: " + std::to_string(remaining)
          + " threads wait at a barrier (__syncthreads or a warp shuffle) that the others never reach");
    }
  }
}

}  // namespace

unsigned char* dynamicShared() {
  return scheduler.shared.empty() ? nullptr : scheduler.shared.data();
}

void syncThreads() {
  wait(scheduler.block);
}

uint64_t shuffleDown(uint64_t bits, int delta) {
  int t = static_cast<int>(threadIndex.x);
  Gate& w = scheduler.warps[t / 32];
  int lane = t % 32;
  uint64_t* slots = w.slots[w.generation & 1];
  slots[lane] = bits;
  wait(w);
  return lane + delta < w.size ? slots[lane + delta] : bits;
}

}  // namespace dnc_emulation

namespace {

using Args = const int64_t*;

struct Entry {
  std::string types;  // one letter per parameter, as in org.dnckernels.cuda.Kernel
  std::function<void(Args)> run;
};

template <typename T>
T convert(int64_t value) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<T>(static_cast<intptr_t>(value));
  } else {
    static_assert(std::is_same_v<T, int>, "kernel parameters are pointers or ints");
    return static_cast<int>(value);
  }
}

template <typename T>
char typeLetter() {
  return std::is_pointer_v<T> ? 'P' : 'I';
}

template <typename... A, size_t... I>
void invoke(void (*kernel)(A...), Args args, std::index_sequence<I...>) {
  kernel(convert<A>(args[I])...);
}

template <typename... A>
Entry entry(void (*kernel)(A...)) {
  return Entry{std::string{typeLetter<A>()...},
      [kernel](Args args) { invoke(kernel, args, std::index_sequence_for<A...>{}); }};
}

#define KERNEL(name) {#name, entry(&name)}

const std::map<std::string, Entry>& kernels() {
  static const std::map<std::string, Entry> table = {
      KERNEL(allocation_weights), KERNEL(content_weights), KERNEL(erase_add),       KERNEL(interface_split),
      KERNEL(link_tiles),         KERNEL(link_weightings), KERNEL(ntm_interpolate), KERNEL(ntm_sharpen),
      KERNEL(ntm_shift),          KERNEL(precedence_update), KERNEL(read_memory),  KERNEL(read_mode_mix),
      KERNEL(step_allocate),      KERNEL(step_read),       KERNEL(step_write),      KERNEL(usage_update),
      KERNEL(write_weights),
      // backwards of memory write, memory read, read modes, write weighting, usage
      KERNEL(erase_add_backward_columns), KERNEL(erase_add_backward_rows), KERNEL(read_backward),
      KERNEL(read_mode_mix_backward),     KERNEL(usage_backward),          KERNEL(usage_backward_free_gates),
      KERNEL(write_weights_backward),
      // backwards: content addressing, interface split, NTM addressing
      KERNEL(content_weights_backward_rows), KERNEL(content_weights_backward_inputs),
      KERNEL(interface_split_backward),      KERNEL(ntm_interpolate_backward),
      KERNEL(ntm_shift_backward),            KERNEL(ntm_sharpen_backward),
      // gradients: allocation and temporal linkage
      KERNEL(allocation_backward), KERNEL(precedence_backward), KERNEL(link_backward_tiles),
      KERNEL(link_backward_sums),
  };
  return table;
}

std::mt19937_64 fiberOrder(20240611);

void launch(const std::string& name, const Entry& e, int grid, int threads, int sharedBytes, Args args) {
  using namespace dnc_emulation;
  gridDimension = {static_cast<unsigned>(grid), 1, 1};
  blockDimension = {static_cast<unsigned>(threads), 1, 1};
  scheduler.body = [&e, args] { e.run(args); };
  for (int b = 0; b < grid; b++) {
    blockIndex = {static_cast<unsigned>(b), 0, 0};
    scheduler.block = Gate{};
    scheduler.block.size = threads;
    scheduler.warps.assign(static_cast<size_t>((threads + 31) / 32), Gate{});
    for (size_t w = 0; w < scheduler.warps.size(); w++) {
      scheduler.warps[w].size = std::min(32, threads - static_cast<int>(w) * 32);
    }
    // poisoned, not zeroed: a kernel that reads dynamic shared memory before writing it gets NaNs
    scheduler.shared.assign(static_cast<size_t>(sharedBytes), 0xff);
    try {
      runBlock(threads, fiberOrder);
    } catch (const std::exception& x) {
      throw std::runtime_error(name + ", block " + std::to_string(b) + ": " + x.what());
    }
  }
}

void throwIllegalState(JNIEnv* env, const std::string& message) {
  env->ThrowNew(env->FindClass("java/lang/IllegalStateException"), message.c_str());
}

std::string string(JNIEnv* env, jstring s) {
  const char* chars = env->GetStringUTFChars(s, nullptr);
  std::string out(chars);
  env->ReleaseStringUTFChars(s, chars);
  return out;
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_org_dnckernels_cuda_EmulatedGpu_allocateNative(JNIEnv* env, jclass, jlong bytes) {
  void* p = std::malloc(static_cast<size_t>(bytes));
  if (p == nullptr) {
    throwIllegalState(env, "emulated cuMemAlloc: out of memory");
  }
  return static_cast<jlong>(reinterpret_cast<intptr_t>(p));
}

JNIEXPORT void JNICALL Java_org_dnckernels_cuda_EmulatedGpu_freeNative(JNIEnv*, jclass, jlong address) {
  std::free(reinterpret_cast<void*>(static_cast<intptr_t>(address)));
}

JNIEXPORT void JNICALL Java_org_dnckernels_cuda_EmulatedGpu_uploadNative(
    JNIEnv* env, jclass, jlong address, jfloatArray src, jint offset, jint count) {
  env->GetFloatArrayRegion(src, offset, count, reinterpret_cast<jfloat*>(static_cast<intptr_t>(address)));
}

JNIEXPORT void JNICALL Java_org_dnckernels_cuda_EmulatedGpu_downloadNative(
    JNIEnv* env, jclass, jlong address, jfloatArray dst, jint offset, jint count) {
  env->SetFloatArrayRegion(dst, offset, count, reinterpret_cast<const jfloat*>(static_cast<intptr_t>(address)));
}

JNIEXPORT void JNICALL Java_org_dnckernels_cuda_EmulatedGpu_fillNative(
    JNIEnv*, jclass, jlong address, jint bits, jlong count) {
  auto* words = reinterpret_cast<int32_t*>(static_cast<intptr_t>(address));
  for (jlong i = 0; i < count; i++) {
    words[i] = bits;
  }
}

JNIEXPORT void JNICALL Java_org_dnckernels_cuda_EmulatedGpu_copyNative(
    JNIEnv*, jclass, jlong dst, jlong src, jlong count) {
  std::memcpy(reinterpret_cast<void*>(static_cast<intptr_t>(dst)),
              reinterpret_cast<const void*>(static_cast<intptr_t>(src)), static_cast<size_t>(count) * 4);
}

JNIEXPORT jstring JNICALL Java_org_dnckernels_cuda_EmulatedGpu_kernelsNative(JNIEnv* env, jclass) {
  std::string names;
  for (const auto& [name, e] : kernels()) {
    names += (names.empty() ? "" : ",") + name + ":" + e.types;
  }
  return env->NewStringUTF(names.c_str());
}

JNIEXPORT void JNICALL Java_org_dnckernels_cuda_EmulatedGpu_launchNative(JNIEnv* env, jclass, jstring entryName,
    jstring parameters, jint grid, jint threads, jint sharedBytes, jlongArray args) {
  std::string name = string(env, entryName);
  auto found = kernels().find(name);
  if (found == kernels().end()) {
    throwIllegalState(env, "emulated launch: no kernel " + name);
    return;
  }
  std::string types = string(env, parameters);
  if (types != found->second.types) {
    throwIllegalState(env, "emulated launch: " + name + " takes (" + found->second.types + "), the host declares ("
        + types + ")");
    return;
  }
  std::vector<int64_t> values(static_cast<size_t>(env->GetArrayLength(args)));
  if (values.size() != types.size()) {
    throwIllegalState(env, "emulated launch: " + name + " got " + std::to_string(values.size()) + " arguments");
    return;
  }
  env->GetLongArrayRegion(args, 0, static_cast<jsize>(values.size()), reinterpret_cast<jlong*>(values.data()));
  try {
    launch(name, found->second, grid, threads, sharedBytes, values.data());
  } catch (const std::exception& e) {
    throwIllegalState(env, std::string("emulated launch: ") + e.what());
  }
}

}  // extern "C"
