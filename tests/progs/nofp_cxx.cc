// SPDX-License-Identifier: MIT
/*
 * C++ known call chain for the unwinding tests, built by
 * tests/integration/test_unwind_nofp.sh with g++ -O2 -fomit-frame-pointer
 * (not by the generic tests/progs/*.c rule): std::thread workers (root:
 * clone3 -> start_thread -> libstdc++'s execute_native_thread_routine)
 * -> cxx_worker -> Shape::area (virtual) -> cxx_hot, and main -> cxx_worker
 * on the main thread.  argv[1]: worker threads (default 1).
 */
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

volatile unsigned long cxx_sink;

__attribute__((noinline)) unsigned long cxx_hot(unsigned long n)
{
	unsigned long s = 0;

	for (unsigned long i = 0; i < n; i++)
		s += (i * 2654435761u) ^ (s >> 5);
	return s;
}

struct Shape {
	virtual ~Shape() = default;
	virtual unsigned long area(unsigned long n) const = 0;
};

struct Square : Shape {
	__attribute__((noinline)) unsigned long area(unsigned long n) const override
	{
		std::vector<unsigned long> v(8, n);	/* a real frame with locals */

		return cxx_hot(v[3]) + v.size();
	}
};

__attribute__((noinline)) void cxx_worker(const Shape *s, unsigned long n)
{
	for (;;)
		cxx_sink += s->area(n);
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? std::atoi(argv[1]) : 1;
	std::unique_ptr<Shape> s(new Square);
	std::vector<std::thread> ts;

	for (int i = 0; i < threads; i++)
		ts.emplace_back(cxx_worker, s.get(), 300000UL + i);
	cxx_worker(s.get(), 300000UL);
}
