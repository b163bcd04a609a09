// Both runs must have happened and met their expectation: Consumer prints these lines only then.
def log = new File(basedir, 'build.log').text
for (line in ['consumer: backend simd, as expected, no warning',
              'consumer: backend scalar, as expected, warned: dnc-kernels backend simd not used']) {
  if (!log.contains(line)) {
    throw new AssertionError("build.log lacks '" + line + "'")
  }
}
return true
