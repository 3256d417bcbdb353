// Peak fp32 FMA throughput of one core: 12 independent FMA chains (BENCHMARKS.md, "dense products against peak").
// gcc -O2 -mavx2 -mfma -o fma256 fma.c && ./fma256;  gcc -O2 -mavx512f -mfma -DW512 -o fma512 fma.c && ./fma512
// Thread CPU time, so a busy machine changes the figure little.
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
static double now(){struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t); return t.tv_sec+t.tv_nsec*1e-9;}
#ifdef W512
#define V __m512
#define F(a) a=_mm512_fmadd_ps(a,b,c)
#define S(x) _mm512_set1_ps(x)
#define L 16
#else
#define V __m256
#define F(a) a=_mm256_fmadd_ps(a,b,c)
#define S(x) _mm256_set1_ps(x)
#define L 8
#endif
int main(){
  long n = 100000000;
  V a0=S(1),a1=S(1.1),a2=S(1.2),a3=S(1.3),a4=S(1.4),a5=S(1.5),a6=S(1.6),a7=S(1.7),a8=S(1.8),a9=S(1.9),a10=S(2),a11=S(2.1);
  V b=S(0.9999999f), c=S(1e-7f);
  double t0=now();
  for(long k=0;k<n;k++){ F(a0);F(a1);F(a2);F(a3);F(a4);F(a5);F(a6);F(a7);F(a8);F(a9);F(a10);F(a11); __asm__ volatile("" : "+x"(a0),"+x"(a1),"+x"(a2),"+x"(a3),"+x"(a4),"+x"(a5),"+x"(a6),"+x"(a7),"+x"(a8),"+x"(a9),"+x"(a10),"+x"(a11)); }
  double t=now()-t0;
  V s=a0+a1+a2+a3+a4+a5+a6+a7+a8+a9+a10+a11; float o[L]; *(V*)o=s;
  printf("%d-bit: %.1f GFLOP/s per core (thread cpu time) %f\n", L*32, n*12.0*L*2/t/1e9, o[0]);
}
